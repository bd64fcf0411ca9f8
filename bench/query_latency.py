#!/usr/bin/env python3
# Query latency under load: GET /v1/accounts/1/proof and /v1/status on one keep-alive
# connection, back to back, while loadgen drives a private `sequencerd --dev`.
#   bench/query_latency.py SEQUENCERD LOADGEN LABEL
# Prints one JSON object: queries answered, p50/p99/max ms, loadgen's tps.
import http.client, sys, time, json, subprocess, os, shutil, tempfile, threading
seqd, loadgen, label = sys.argv[1], sys.argv[2], sys.argv[3]
d = tempfile.mkdtemp()
pf = os.path.join(d, "port")
p = subprocess.Popen([seqd, "--port", "0", "--port-file", pf, "--data-dir", d + "/data", "--chain-id", "7", "--dev"],
                     stdout=subprocess.DEVNULL, stderr=open(d + "/log", "w"))
while not os.path.exists(pf) or not open(pf).read().strip(): time.sleep(0.05)
addr = open(pf).read().strip()
host, port = addr.rsplit(":", 1)
lat = []
stop = False
def poll():
    c = http.client.HTTPConnection(host, int(port))
    while not stop:
        for path in ("/v1/accounts/1/proof", "/v1/status"):
            t = time.perf_counter()
            c.request("GET", path); r = c.getresponse(); r.read()
            if started: lat.append((time.perf_counter() - t) * 1000)
started = False
th = threading.Thread(target=poll)
lg = subprocess.Popen([loadgen, "--server", "http://" + addr, "--formats", "binary", "--accounts", "4000", "--txs", "120000", "--rate-fraction", "0.5", "--json"],
                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
time.sleep(3); started = True; th.start()
out = lg.communicate()[0]
stop = True; th.join(); p.terminate(); p.wait()
shutil.rmtree(d, True)
lat.sort()
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
tps = [json.loads(l).get("tps") for l in out.splitlines() if l.strip()]
print(json.dumps({"version": label, "queries": len(lat), "p50_ms": round(q(0.5), 2), "p99_ms": round(q(0.99), 2), "max_ms": round(lat[-1], 2), "loadgen_tps": tps}))
