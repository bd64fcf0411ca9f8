// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Keystore file (docs/encoding.md, "Keystore files"), one JSON object on one line:
//
//   {"version":1,"name":NAME,"public_key":HEX32,
//    "kdf":{"name":"argon2id13","opslimit":N,"memlimit":N,"salt":HEX16},
//    "cipher":{"name":"xchacha20poly1305-ietf","nonce":HEX24,"ciphertext":HEX48}}
//
//   key        = Argon2id13(passphrase, salt, opslimit, memlimit) -> 32 bytes
//   aad        = "L2STACK/KEYSTORE/V1" || public_key[32] || name
//   ciphertext = XChaCha20-Poly1305-IETF(key, nonce, aad, seed[32]) = 32 bytes || tag[16]
//
// Reading is strict: exactly these fields, version 1, these two algorithm names, hex of
// exactly these lengths, a valid key name, and bounded KDF costs.
#include "wallet_cli/keystore.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <system_error>
#include <utility>

#include "common/json/parse.hpp"
#include "common/json/strict.hpp"
#include "wallet_cli/unique_fd.hpp"

namespace l2::wallet {

namespace {

namespace fs = std::filesystem;
namespace sj = l2::strict_json;

using Salt = decltype(KeyFileRandomness::salt);
using Nonce = decltype(KeyFileRandomness::nonce);

constexpr std::string_view kAadTag = "L2STACK/KEYSTORE/V1";
constexpr std::string_view kKdfName = "argon2id13";
constexpr std::string_view kCipherName = "xchacha20poly1305-ietf";
constexpr std::uint64_t kVersion = 1;
constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kCiphertextBytes = Seed32::size() + crypto_aead_xchacha20poly1305_ietf_ABYTES;
// The bounds a reader accepts: the top keeps a hostile file from making us spend minutes
// or allocate gigabytes; the bottom is libsodium's own minimum.
constexpr std::uint64_t kMinOpslimit = crypto_pwhash_OPSLIMIT_MIN;
constexpr std::uint64_t kMaxOpslimit = 10;
constexpr std::uint64_t kMinMemlimit = std::uint64_t{8} << 10;
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{1} << 30;
// A keystore file is about 400 bytes; anything much larger is not one, and is not read.
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 10;
constexpr std::string_view kSuffix = ".key";

static_assert(Salt::size() == crypto_pwhash_SALTBYTES);
static_assert(Nonce::size() == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kMinMemlimit >= crypto_pwhash_MEMLIMIT_MIN);

// sodium_malloc'd bytes (guard pages, mlock where allowed); sodium_free wipes them.
class SodiumBuffer {
 public:
  explicit SodiumBuffer(std::size_t size) : data_(static_cast<unsigned char*>(sodium_malloc(size))) {
    if (data_ == nullptr) throw std::bad_alloc();
  }
  SodiumBuffer(const SodiumBuffer&) = delete;
  SodiumBuffer& operator=(const SodiumBuffer&) = delete;
  ~SodiumBuffer() { sodium_free(data_); }
  unsigned char* data() { return data_; }

 private:
  unsigned char* data_;
};

// A seed on the stack, wiped when it goes out of scope. From a key, key.seed()'s result
// initialises `seed` directly (no temporary copy left unwiped on the stack).
struct WipedSeed {
  Seed32 seed;
  WipedSeed() = default;
  explicit WipedSeed(const SecretKey& key) : seed(key.seed()) {}
  WipedSeed(const WipedSeed&) = delete;
  WipedSeed& operator=(const WipedSeed&) = delete;
  ~WipedSeed() { sodium_memzero(seed.data(), Seed32::size()); }
};

Unexpected<KeystoreError> fail(KeystoreErrc code, std::string message) {
  return make_error(KeystoreError{code, std::move(message)});
}

// Prefixes a message with the file (or directory) it is about.
KeystoreError about(const fs::path& path, KeystoreError e) {
  e.message = path.string() + ": " + e.message;
  return e;
}

Unexpected<KeystoreError> io_error(std::string_view what, const fs::path& path, int err) {
  return fail(KeystoreErrc::io, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

std::string mode_string(mode_t mode) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return buf.data();
}

bool kdf_in_bounds(const KdfParams& kdf) {
  return kdf.opslimit >= kMinOpslimit && kdf.opslimit <= kMaxOpslimit && kdf.memlimit >= kMinMemlimit &&
         kdf.memlimit <= kMaxMemlimit;
}

std::string kdf_bounds_text() {
  return "opslimit must be in [" + std::to_string(kMinOpslimit) + ", " + std::to_string(kMaxOpslimit) +
         "] and memlimit in [" + std::to_string(kMinMemlimit) + ", " + std::to_string(kMaxMemlimit) +
         "] bytes";
}

Bytes associated_data(std::string_view name, const PublicKey& public_key) {
  // Sized up front and copied (vector::insert here trips GCC 12's -Wstringop-overflow).
  Bytes aad(kAadTag.size() + PublicKey::size() + name.size());
  std::memcpy(aad.data(), kAadTag.data(), kAadTag.size());
  std::memcpy(aad.data() + kAadTag.size(), public_key.data(), PublicKey::size());
  if (!name.empty()) std::memcpy(aad.data() + kAadTag.size() + PublicKey::size(), name.data(), name.size());
  return aad;
}

// The AEAD key into `key` (kKeyBytes); false if Argon2id could not run (memory).
bool derive_key(unsigned char* key, const SecretString& passphrase, const Salt& salt, const KdfParams& kdf) {
  static const char kEmpty = '\0';  // libsodium wants a pointer even for an empty passphrase
  const char* pw = passphrase.empty() ? &kEmpty : passphrase.view().data();
  return crypto_pwhash(key, kKeyBytes, pw, passphrase.size(), salt.data(), kdf.opslimit, kdf.memlimit,
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}

// ---- the file's fields ----------------------------------------------------------------

struct ParsedKeyFile {
  std::string name;
  PublicKey public_key;
  KdfParams kdf;
  Salt salt;
  Nonce nonce;
  std::array<std::uint8_t, kCiphertextBytes> ciphertext{};
};

KeystoreError corrupt_field(const sj::FieldError& e, std::string_view prefix) {
  sj::FieldError named = e;
  named.field = std::string(prefix) + e.field;
  return {KeystoreErrc::corrupt, "not a keystore file: " + sj::describe(named)};
}

Status<KeystoreError> check_object(const sj::Json& parent, std::string_view key, std::string_view shown) {
  auto v = sj::field(parent, key);
  if (!v) return make_error(corrupt_field(v.error(), ""));
  if (!(*v)->is_object())
    return fail(KeystoreErrc::corrupt, "not a keystore file: '" + std::string(shown) + "' is not an object");
  return {};
}

// The algorithm's name, checked before the other fields so that a file made with another
// algorithm says so rather than naming a field this version does not know.
Status<KeystoreError> check_algorithm(const sj::Json& obj, std::string_view prefix,
                                      std::string_view expected) {
  auto name = sj::read_string(obj, "name");
  if (!name) return make_error(corrupt_field(name.error(), prefix));
  if (*name != expected)
    return fail(KeystoreErrc::corrupt, "not a keystore file: '" + std::string(prefix) +
                                           "name' is not an algorithm this wallet reads (only " +
                                           std::string(expected) + ")");
  return {};
}

Status<KeystoreError> parse_kdf(const sj::Json& kdf, ParsedKeyFile& out) {
  if (auto s = check_algorithm(kdf, "kdf.", kKdfName); !s) return s;
  if (auto s = sj::require_exactly(kdf, {"name", "opslimit", "memlimit", "salt"}); !s)
    return make_error(corrupt_field(s.error(), "kdf."));
  auto ops = sj::read_u64(kdf, "opslimit");
  if (!ops) return make_error(corrupt_field(ops.error(), "kdf."));
  auto mem = sj::read_u64(kdf, "memlimit");
  if (!mem) return make_error(corrupt_field(mem.error(), "kdf."));
  if (*ops < kMinOpslimit || *ops > kMaxOpslimit || *mem < kMinMemlimit || *mem > kMaxMemlimit)
    return fail(KeystoreErrc::corrupt,
                "not a keystore file: its KDF costs are out of bounds (" + kdf_bounds_text() + ")");
  auto salt = sj::read_fixed<Salt>(kdf, "salt");
  if (!salt) return make_error(corrupt_field(salt.error(), "kdf."));
  out.kdf = KdfParams{*ops, static_cast<std::size_t>(*mem)};
  out.salt = *salt;
  return {};
}

Status<KeystoreError> parse_cipher(const sj::Json& cipher, ParsedKeyFile& out) {
  if (auto s = check_algorithm(cipher, "cipher.", kCipherName); !s) return s;
  if (auto s = sj::require_exactly(cipher, {"name", "nonce", "ciphertext"}); !s)
    return make_error(corrupt_field(s.error(), "cipher."));
  auto nonce = sj::read_fixed<Nonce>(cipher, "nonce");
  if (!nonce) return make_error(corrupt_field(nonce.error(), "cipher."));
  auto ct = sj::read_fixed<FixedBytes<kCiphertextBytes, struct CiphertextTag>>(cipher, "ciphertext");
  if (!ct) return make_error(corrupt_field(ct.error(), "cipher."));
  out.nonce = *nonce;
  out.ciphertext = ct->array();
  return {};
}

Result<ParsedKeyFile, KeystoreError> parse_key_file(std::string_view text) {
  auto doc = strict_json::parse_unique_keys(text);
  if (!doc) {
    if (doc.error().kind == strict_json::ParseError::Kind::duplicate_key)
      return fail(KeystoreErrc::corrupt, "not a keystore file: the key '" + doc.error().key.substr(0, 32) +
                                             "' appears twice in one object");
    return fail(KeystoreErrc::corrupt, "not a keystore file: not one JSON document");
  }
  const sj::Json& j = *doc;
  if (!j.is_object()) return fail(KeystoreErrc::corrupt, "not a keystore file: not a JSON object");
  // The version first: a later version may have other fields, and should say so.
  auto version = sj::read_u64(j, "version");
  if (!version) return make_error(corrupt_field(version.error(), ""));
  if (*version != kVersion)
    return fail(KeystoreErrc::corrupt, "keystore file version " + std::to_string(*version) +
                                           " is not one this wallet reads (it reads version 1)");
  if (auto s = sj::require_exactly(j, {"version", "name", "public_key", "kdf", "cipher"}); !s)
    return make_error(corrupt_field(s.error(), ""));

  ParsedKeyFile out;
  auto name = sj::read_string(j, "name");
  if (!name) return make_error(corrupt_field(name.error(), ""));
  if (!valid_key_name(*name))
    return fail(KeystoreErrc::corrupt,
                "not a keystore file: 'name' is not a valid key name ([a-z0-9][a-z0-9_-]{0,31})");
  out.name = std::string(*name);
  auto pk = sj::read_fixed<PublicKey>(j, "public_key");
  if (!pk) return make_error(corrupt_field(pk.error(), ""));
  out.public_key = *pk;
  if (auto s = check_object(j, "kdf", "kdf"); !s) return make_error(s.error());
  if (auto s = parse_kdf(j.at("kdf"), out); !s) return make_error(s.error());
  if (auto s = check_object(j, "cipher", "cipher"); !s) return make_error(s.error());
  if (auto s = parse_cipher(j.at("cipher"), out); !s) return make_error(s.error());
  return out;
}

// ---- the file system --------------------------------------------------------------------

fs::path key_path(const fs::path& dir, std::string_view name) { return dir / (std::string(name) + ".key"); }

// false: DIR does not exist. Refuses a DIR that is not a directory or that group or others
// may write (they could replace a key file with one of theirs).
Result<bool, KeystoreError> check_dir(const fs::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return io_error("cannot read the wallet directory", dir, errno);
  }
  if (!S_ISDIR(st.st_mode))
    return fail(KeystoreErrc::io, dir.string() + ": the wallet directory is not a directory");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fail(KeystoreErrc::insecure_permissions,
                "the wallet directory " + dir.string() + " has mode " + mode_string(st.st_mode) +
                    ", writable by group or others; chmod 700 " + dir.string());
  return true;
}

// Creates DIR (and missing parents) with mode 0700, then checks it as check_dir does.
Status<KeystoreError> ensure_dir(const fs::path& dir) {
  auto exists = check_dir(dir);
  if (!exists) return make_error(exists.error());
  if (*exists) return {};
  fs::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0) {
      // Exactly 0700 whatever the umask.
      if (::chmod(partial.c_str(), 0700) != 0) return io_error("cannot chmod", partial, errno);
    } else if (errno != EEXIST) {
      return io_error("cannot create the wallet directory", partial, errno);
    }
  }
  exists = check_dir(dir);
  if (!exists) return make_error(exists.error());
  if (!*exists)
    return fail(KeystoreErrc::io, dir.string() + ": the wallet directory vanished after creating it");
  return {};
}

// The text of a key file, after refusing a symbolic link, a non-regular file, a file that
// group or others may access, and a file too large to be a keystore file.
Result<std::string, KeystoreError> read_key_text(const fs::path& path) {
  // O_NONBLOCK: a FIFO planted under a key's name must not hang the wallet.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return fail(KeystoreErrc::not_found, path.string() + ": no such key file");
    if (errno == ELOOP)
      return fail(KeystoreErrc::io,
                  path.string() + ": is a symbolic link; a key file must be a regular file");
    return io_error("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return fail(KeystoreErrc::corrupt, path.string() + ": not a regular file");
  if ((st.st_mode & 077) != 0)
    return fail(KeystoreErrc::insecure_permissions, path.string() + " has mode " + mode_string(st.st_mode) +
                                                        ", accessible by group or others; chmod 600 " +
                                                        path.string());
  if (static_cast<std::uint64_t>(st.st_size) > kMaxFileBytes)
    return fail(KeystoreErrc::corrupt, path.string() + ": too large to be a keystore file");
  std::string text;
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes)
      return fail(KeystoreErrc::corrupt, path.string() + ": too large to be a keystore file");
  }
  return text;
}

Status<KeystoreError> write_all(int fd, std::string_view text, const fs::path& path) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Moves tmp to final unless final exists (EEXIST then). renameat2(RENAME_NOREPLACE) where
// the file system has it, else link + unlink, which is just as atomic and also refuses an
// existing name.
int rename_no_replace(const fs::path& tmp, const fs::path& final_path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::link(tmp.c_str(), final_path.c_str()) != 0) return -1;
  ::unlink(tmp.c_str());
  return 0;
}

Status<KeystoreError> fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("cannot fsync", dir, errno);
  return {};
}

// DIR/NAME.key appears complete or not at all: a temporary file in DIR (mode 0600, created
// exclusively), written and fsynced, renamed without replacing, then DIR fsynced so that
// the new name survives a crash.
Status<KeystoreError> write_key_file(const fs::path& dir, std::string_view name, std::string_view text) {
  const fs::path final_path = key_path(dir, name);
  std::array<std::uint8_t, 8> rnd{};
  randombytes_buf(rnd.data(), rnd.size());
  // A leading dot and no ".key" suffix: list() never takes it for a key.
  const fs::path tmp = dir / ("." + std::string(name) + ".key.tmp-" + to_hex(rnd));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("cannot create", tmp, errno);
  auto cleanup_fail = [&](Unexpected<KeystoreError> e) -> Status<KeystoreError> {
    ::unlink(tmp.c_str());
    return e;
  };
  // Exactly 0600 whatever the umask.
  if (::fchmod(fd.get(), 0600) != 0) return cleanup_fail(io_error("cannot chmod", tmp, errno));
  if (auto s = write_all(fd.get(), text, tmp); !s) return cleanup_fail(make_error(s.error()));
  if (::fsync(fd.get()) != 0) return cleanup_fail(io_error("cannot fsync", tmp, errno));
  if (fd.close() != 0) return cleanup_fail(io_error("cannot close", tmp, errno));
  if (rename_no_replace(tmp, final_path) != 0) {
    const int err = errno;
    if (err == EEXIST)
      return cleanup_fail(fail(KeystoreErrc::exists, "key '" + std::string(name) + "' already exists (" +
                                                         final_path.string() + ")"));
    return cleanup_fail(io_error("cannot rename to", final_path, err));
  }
  return fsync_dir(dir);
}

// DIR/NAME.key's public part and its text. The file must hold the key it is named after.
Result<std::pair<KeyEntry, std::string>, KeystoreError> load(const fs::path& dir, std::string_view name) {
  const fs::path path = key_path(dir, name);
  auto text = read_key_text(path);
  if (!text) {
    if (text.error().code == KeystoreErrc::not_found)
      return fail(KeystoreErrc::not_found, "no key '" + std::string(name) + "' in " + dir.string());
    return make_error(text.error());
  }
  auto entry = read_key_file_public(*text);
  if (!entry) return make_error(about(path, entry.error()));
  if (entry->name != name)
    return fail(KeystoreErrc::corrupt, path.string() + ": holds key '" + entry->name + "', not '" +
                                           std::string(name) + "' (a renamed file? rename it back to " +
                                           entry->name + ".key)");
  entry->path = path;
  return std::pair<KeyEntry, std::string>{std::move(*entry), std::move(*text)};
}

// For find/read_file/unlock: the name's shape, and a DIR that exists and is safe.
Status<KeystoreError> check_lookup(const fs::path& dir, std::string_view name) {
  if (!valid_key_name(name))
    return fail(KeystoreErrc::bad_name, "not a valid key name (names: [a-z0-9][a-z0-9_-]{0,31})");
  auto exists = check_dir(dir);
  if (!exists) return make_error(exists.error());
  if (!*exists)
    return fail(KeystoreErrc::not_found, "no key '" + std::string(name) + "': the wallet directory " +
                                             dir.string() + " does not exist");
  return {};
}

}  // namespace

std::string_view to_string(KeystoreErrc c) {
  switch (c) {
    case KeystoreErrc::not_found:
      return "not_found";
    case KeystoreErrc::exists:
      return "exists";
    case KeystoreErrc::bad_name:
      return "bad_name";
    case KeystoreErrc::insecure_permissions:
      return "insecure_permissions";
    case KeystoreErrc::corrupt:
      return "corrupt";
    case KeystoreErrc::wrong_passphrase:
      return "wrong_passphrase";
    case KeystoreErrc::io:
      return "io";
    case KeystoreErrc::bad_kdf_params:
      return "bad_kdf_params";
  }
  return "unknown";
}

bool valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name.front())) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

Result<std::string, KeystoreError> encode_key_file(std::string_view name, const SecretKey& key,
                                                   const SecretString& passphrase, const KdfParams& kdf,
                                                   const KeyFileRandomness& randomness) {
  if (!valid_key_name(name))
    return fail(KeystoreErrc::bad_name, "not a valid key name (names: [a-z0-9][a-z0-9_-]{0,31})");
  if (!kdf_in_bounds(kdf))
    return fail(KeystoreErrc::bad_kdf_params, "KDF costs a reader would refuse: " + kdf_bounds_text());
  ensure_sodium();
  SodiumBuffer aead_key(kKeyBytes);
  if (!derive_key(aead_key.data(), passphrase, randomness.salt, kdf))
    return fail(KeystoreErrc::io,
                "Argon2id could not run (out of memory for memlimit " + std::to_string(kdf.memlimit) + "?)");
  const WipedSeed seed(key);
  const Bytes aad = associated_data(name, key.public_key());
  std::array<std::uint8_t, kCiphertextBytes> ct{};
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &ct_len, seed.seed.data(), Seed32::size(), aad.data(),
                                             aad.size(), nullptr, randomness.nonce.data(), aead_key.data());
  L2_ASSERT(ct_len == ct.size());

  // Written by hand, not by a JSON library, so that the bytes are fixed (the test vector
  // pins them). The name needs no escaping: valid_key_name allows no quote or backslash.
  std::string out;
  out += R"({"version":1,"name":")";
  out += name;
  out += R"(","public_key":")";
  out += key.public_key().hex();
  out += R"(","kdf":{"name":")";
  out += kKdfName;
  out += R"(","opslimit":)";
  out += std::to_string(kdf.opslimit);
  out += R"(,"memlimit":)";
  out += std::to_string(kdf.memlimit);
  out += R"(,"salt":")";
  out += randomness.salt.hex();
  out += R"("},"cipher":{"name":")";
  out += kCipherName;
  out += R"(","nonce":")";
  out += randomness.nonce.hex();
  out += R"(","ciphertext":")";
  out += to_hex(ct);
  out += "\"}}\n";
  return out;
}

Result<KeyEntry, KeystoreError> read_key_file_public(std::string_view json) {
  auto parsed = parse_key_file(json);
  if (!parsed) return make_error(parsed.error());
  return KeyEntry{std::move(parsed->name), parsed->public_key, {}};
}

Result<SecretKey, KeystoreError> decode_key_file(std::string_view json, const SecretString& passphrase) {
  auto parsed = parse_key_file(json);
  if (!parsed) return make_error(parsed.error());
  const ParsedKeyFile& f = *parsed;
  ensure_sodium();
  SodiumBuffer aead_key(kKeyBytes);
  if (!derive_key(aead_key.data(), passphrase, f.salt, f.kdf))
    return fail(KeystoreErrc::io, "Argon2id could not run (out of memory for memlimit " +
                                      std::to_string(f.kdf.memlimit) + "?)");
  const Bytes aad = associated_data(f.name, f.public_key);
  SodiumBuffer plain(Seed32::size());
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, f.ciphertext.data(),
                                                 f.ciphertext.size(), aad.data(), aad.size(), f.nonce.data(),
                                                 aead_key.data()) != 0)
    return fail(KeystoreErrc::wrong_passphrase,
                "wrong passphrase for key '" + f.name +
                    "' (or the file's name, public key or ciphertext was altered)");
  L2_ASSERT(plain_len == Seed32::size());
  WipedSeed seed;
  std::memcpy(seed.seed.data(), plain.data(), Seed32::size());
  SecretKey key = SecretKey::from_seed(seed.seed);
  // Only a faulty writer (or one who knew the passphrase) can get here with another key.
  if (key.public_key() != f.public_key)
    return fail(KeystoreErrc::corrupt,
                "the decrypted seed of key '" + f.name +
                    "' does not give the file's public key (a faulty keystore writer?)");
  return key;
}

Keystore::Keystore(std::filesystem::path dir) : dir_(std::move(dir)) {}

Result<KeyEntry, KeystoreError> Keystore::add(std::string_view name, const SecretKey& key,
                                              const SecretString& passphrase, const KdfParams& kdf) {
  if (!valid_key_name(name))
    return fail(KeystoreErrc::bad_name, "not a valid key name (names: [a-z0-9][a-z0-9_-]{0,31})");
  if (!kdf_in_bounds(kdf))
    return fail(KeystoreErrc::bad_kdf_params, "KDF costs a reader would refuse: " + kdf_bounds_text());
  if (auto s = ensure_dir(dir_); !s) return make_error(s.error());
  const fs::path path = key_path(dir_, name);
  // Before the slow KDF; the no-replace rename below is what makes it race-free.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0)
    return fail(KeystoreErrc::exists,
                "key '" + std::string(name) + "' already exists (" + path.string() + ")");
  ensure_sodium();
  KeyFileRandomness rnd;
  randombytes_buf(rnd.salt.data(), Salt::size());
  randombytes_buf(rnd.nonce.data(), Nonce::size());
  auto text = encode_key_file(name, key, passphrase, kdf, rnd);
  if (!text) return make_error(text.error());
  if (auto s = write_key_file(dir_, name, *text); !s) return make_error(s.error());
  return KeyEntry{std::string(name), key.public_key(), path};
}

Result<KeyEntry, KeystoreError> Keystore::add_file(std::string_view name, std::string_view json) {
  if (!valid_key_name(name))
    return fail(KeystoreErrc::bad_name, "not a valid key name (names: [a-z0-9][a-z0-9_-]{0,31})");
  if (json.size() > kMaxFileBytes) return fail(KeystoreErrc::corrupt, "too large to be a keystore file");
  auto entry = read_key_file_public(json);
  if (!entry) return make_error(entry.error());
  // The name is in the associated data: under another name the file could not be unlocked.
  if (entry->name != name)
    return fail(KeystoreErrc::bad_name, "the file holds key '" + entry->name +
                                            "', and its name is bound to its encryption: import it as '" +
                                            entry->name + "'");
  if (auto s = ensure_dir(dir_); !s) return make_error(s.error());
  const fs::path path = key_path(dir_, name);
  if (auto s = write_key_file(dir_, name, json); !s) return make_error(s.error());
  entry->path = path;
  return entry;
}

Result<std::vector<KeyEntry>, KeystoreError> Keystore::list() const {
  auto exists = check_dir(dir_);
  if (!exists) return make_error(exists.error());
  std::vector<KeyEntry> out;
  if (!*exists) return out;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) return fail(KeystoreErrc::io, "cannot list " + dir_.string() + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string file = it->path().filename().string();
    // Temporary files start with a dot; other files (a password file, notes) are not ours.
    if (file.starts_with('.') || !file.ends_with(kSuffix)) continue;
    const std::string_view stem = std::string_view(file).substr(0, file.size() - kSuffix.size());
    if (!valid_key_name(stem))
      return fail(
          KeystoreErrc::corrupt,
          it->path().string() + ": not a keystore file name (names: [a-z0-9][a-z0-9_-]{0,31}, then .key)");
    auto loaded = load(dir_, stem);
    if (!loaded) return make_error(loaded.error());
    out.push_back(std::move(loaded->first));
  }
  if (ec) return fail(KeystoreErrc::io, "cannot list " + dir_.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const KeyEntry& a, const KeyEntry& b) { return a.name < b.name; });
  return out;
}

Result<KeyEntry, KeystoreError> Keystore::find(std::string_view name) const {
  if (auto s = check_lookup(dir_, name); !s) return make_error(s.error());
  auto loaded = load(dir_, name);
  if (!loaded) return make_error(loaded.error());
  return std::move(loaded->first);
}

Result<std::string, KeystoreError> Keystore::read_file(std::string_view name) const {
  if (auto s = check_lookup(dir_, name); !s) return make_error(s.error());
  auto loaded = load(dir_, name);
  if (!loaded) return make_error(loaded.error());
  return std::move(loaded->second);
}

Result<SecretKey, KeystoreError> Keystore::unlock(std::string_view name,
                                                  const SecretString& passphrase) const {
  if (auto s = check_lookup(dir_, name); !s) return make_error(s.error());
  auto loaded = load(dir_, name);
  if (!loaded) return make_error(loaded.error());
  auto key = decode_key_file(loaded->second, passphrase);
  if (!key) return make_error(about(loaded->first.path, key.error()));
  return key;
}

}  // namespace l2::wallet
