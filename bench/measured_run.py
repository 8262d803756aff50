"""Runs a command (its arguments) and prints, as JSON on its last line: its exit status, the
end of its output, its CPU time with its children's, the largest process's peak (max RSS)
and the process tree's peak together (MkDocs and Pagefind at once), polled."""

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

tree = [0]


def watch(root):  # the process tree's resident memory together (MkDocs and Pagefind), polled
    while True:
        parents, rss = {}, {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                parents[int(pid)], rss[int(pid)] = int(fields[1]), int(fields[21]) * 4096
            except (OSError, IndexError, ValueError):
                pass
        mine, grew = {root}, True
        while grew:
            more = {p for p, parent in parents.items() if parent in mine} - mine
            mine |= more
            grew = bool(more)
        tree[0] = max(tree[0], sum(rss.get(p, 0) for p in mine))
        time.sleep(0.5)


child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
threading.Thread(target=watch, args=(child.pid,), daemon=True).start()
out, err = child.communicate()
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(
    json.dumps(
        {
            "rc": child.returncode,
            "err": err[-20000:],
            "out": out[-4000:],
            "cpu": kids.ru_utime + kids.ru_stime,
            "peak_mib": kids.ru_maxrss / 1024,
            "tree_peak_mib": tree[0] / 2**20,
        }
    )
)
