#!/usr/bin/env python3
"""Benchmarks for BENCHMARKS.md: python3 scripts/bench.py [BUILD_DIR]  (default .build/release).

Each figure is printed next to the baseline measured in the same run:
  greeting   time from spawn to the first protocol line; baseline: /bin/echo's first line
  pipeline   10,000 pipelined STATUS requests and one RESULTS, to the last result line;
             baseline: /bin/cat echoing the same bytes
  probe      -M 0 vmtype kvm against libvirt's test:///default; baseline: the greeting above
  stock      the greeting and the probe reading HTCondor's stock configuration (the shipped
             condor_config.generic and config.d/00-security from ../shared/htcondor/config-examples,
             whose `if version` makes the gahp look for the installed HTCondor) plus a 50-vm.conf;
             baseline: the same with CONDOR_CONFIG=ONLY_ENV
  idle       CPU time and RSS of a server left idle for 5 s (lower is better; 0 expected)
"""
import os, statistics, subprocess, sys, tempfile, threading, time

build = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
work = tempfile.mkdtemp(prefix="vmgahp-bench-")
env = dict(os.environ, CONDOR_CONFIG="ONLY_ENV", _CONDOR_VM_MEMORY="512",
           _CONDOR_VM_LIBVIRT_URI="test:///default", _CONDOR_VM_GAHP_LOG=os.path.join(work, "log"),
           VMGAHP_VMTYPE="kvm", VMGAHP_WORKING_DIR=work)

def first_line_ms(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    p.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    p.stdin.close(); p.stdout.read(); p.wait()
    return elapsed

def median_ms(fn, runs=40):
    samples = [fn() for _ in range(runs)]
    return statistics.median(samples), min(samples), max(samples)

def report(name, figure, baseline):
    print(f"{name:44s} median {figure[0]:7.2f} ms (min {figure[1]:.2f}, max {figure[2]:.2f})"
          f"   baseline {baseline[0]:.2f} ms")

gahps = [(n, os.path.join(build, n)) for n in ("condor_vm-gahp", "vm-gahp-fake") if os.path.exists(os.path.join(build, n))]
echo = median_ms(lambda: first_line_ms(["/bin/echo", "x"]))
for name, path in gahps:
    report(f"greeting: {name}", median_ms(lambda: first_line_ms([path, "-f", "-M", "3"])), echo)

requests = b"".join(b"CONDOR_VM_STATUS %d 7\n" % i for i in range(1, 10001)) + b"RESULTS\n"
def pipeline_ms(cmd, last):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    # Written from a thread: the peer answers while we write, and both pipes must keep moving.
    writer = threading.Thread(target=lambda: (p.stdin.write(requests), p.stdin.flush()))
    writer.start()
    for line in p.stdout:
        if line.startswith(last):
            break
    elapsed = (time.perf_counter() - t0) * 1000
    writer.join(); p.stdin.close(); p.stdout.read(); p.wait()
    return elapsed
cat = median_ms(lambda: pipeline_ms(["/bin/cat"], b"RESULTS"), runs=10)
for name, path in gahps:
    report(f"pipeline 10,000 STATUS: {name}", median_ms(lambda: pipeline_ms([path, "-f", "-M", "3"], b"10000 0 "), runs=10), cat)

if any(n == "condor_vm-gahp" for n, _ in gahps):
    path = os.path.join(build, "condor_vm-gahp")
    def probe_ms():
        t0 = time.perf_counter()
        subprocess.run([path, "-f", "-M", "0", "vmtype", "kvm"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return (time.perf_counter() - t0) * 1000
    report("probe (-M 0) on test:///default", median_ms(probe_ms, runs=20), echo)

examples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "htcondor", "config-examples")
if any(n == "condor_vm-gahp" for n, _ in gahps) and os.path.isdir(examples):
    path = os.path.join(build, "condor_vm-gahp")
    os.makedirs(os.path.join(work, "config"), exist_ok=True)
    with open(os.path.join(work, "condor_config"), "w") as f:
        f.write(f"include : {examples}/condor_config.generic\nLOCAL_DIR = {work}\nREQUIRE_LOCAL_CONFIG_FILE = false\n")
    if not os.path.lexists(os.path.join(work, "config", "00-security")):
        os.symlink(os.path.join(examples, "00-security"), os.path.join(work, "config", "00-security"))
    with open(os.path.join(work, "config", "50-vm.conf"), "w") as f:
        f.write(f"VM_TYPE = kvm\nVM_MEMORY = 512\nVM_NETWORKING = false\nVM_LIBVIRT_URI = test:///default\nVM_GAHP_LOG = {work}/log\n")
    stock = dict(env, CONDOR_CONFIG=os.path.join(work, "condor_config"))
    for key in ("_CONDOR_VM_MEMORY", "_CONDOR_VM_LIBVIRT_URI", "_CONDOR_VM_GAHP_LOG"):
        stock.pop(key)
    def with_env(e, fn):
        global env
        saved, env = env, e
        try:
            return fn()
        finally:
            env = saved
    only_env = median_ms(lambda: first_line_ms([path, "-f", "-M", "3"]))
    report("greeting: stock HTCondor configuration", with_env(stock, lambda: median_ms(lambda: first_line_ms([path, "-f", "-M", "3"]))), only_env)
    report("probe: stock HTCondor configuration", with_env(stock, lambda: median_ms(probe_ms, runs=20)), median_ms(probe_ms, runs=20))

for name, path in gahps:
    p = subprocess.Popen([path, "-f", "-M", "3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    p.stdout.readline()
    def cpu():
        fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = cpu(); time.sleep(5); after = cpu()
    rss = next(l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")).split()[1]
    threads = len(os.listdir(f"/proc/{p.pid}/task"))
    print(f"idle 5 s: {name:34s} CPU {1000 * (after - before):.0f} ms, RSS {int(rss) // 1024} MiB, {threads} threads")
    p.stdin.close(); p.wait()
