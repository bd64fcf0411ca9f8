// SPDX-License-Identifier: MIT
// Placeholder: being written.
int main() { return 1; }
