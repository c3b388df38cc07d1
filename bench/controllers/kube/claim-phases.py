#!/usr/bin/env python3
"""Where a claim's time goes, from the API server's audit log (docs/benchmarks.md, "Controllers on a real API server").

  bench/controllers/kube/claim-phases.py target/bench-kube/plane/audit.log warm-ours-1 [controller-user]

For every claim of the namespace, the controller's writes on the claim's way to Ready, in the order they came: writes
of the claim's metadata (ours: the commit annotation of a cold start; upstream: its claim patch and update), the
Sandbox's adoption (the first Sandbox patch after the claim's create), and the claim's first status patch. Printed
per step: create -> first write, each write (the API server's time for it) and the gap before the next one, and
create -> status done; p50 and p90 over the claims, in ms (API server timestamps). The user is the controller's
ServiceAccount name (default agent-sandbox-controller; ours-before: agent-sandbox-controller-before; upstream:
agent-sandbox-upstream-controller). The API server rotates its audit log at 100 MB (audit-<time>.log beside it, one
kept): the rotated file is read first, and a round that is in neither is reported with 0 claims.
"""
import glob
import json
import os
import sys
from collections import OrderedDict
from datetime import datetime

audit, ns = sys.argv[1], sys.argv[2]
user = sys.argv[3] if len(sys.argv) > 3 else 'agent-sandbox-controller'


def ms(s):
    return datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp() * 1000


claims = {}
adoptions = []
files = sorted(glob.glob(os.path.join(os.path.dirname(audit) or '.', 'audit-*.log'))) + [audit]
for line in (line for f in files for line in open(f)):
    if ns not in line:
        continue
    e = json.loads(line)
    if e.get('stage') != 'ResponseComplete':
        continue
    o = e.get('objectRef', {})
    if o.get('namespace') != ns:
        continue
    who = e['user']['username'].split(':')[-1]
    t0, t1 = ms(e['requestReceivedTimestamp']), ms(e['stageTimestamp'])
    resource, name, sub = o.get('resource'), o.get('name'), o.get('subresource', '')
    if resource == 'sandboxclaims' and name:
        claims.setdefault(name, []).append((t0, t1, e['verb'], sub, who, e['responseStatus']['code']))
    if resource == 'sandboxes' and e['verb'] in ('update', 'patch') and sub == '' and who == user:
        adoptions.append((t0, t1))
adoptions.sort()

figures = OrderedDict()
conflicts = []
for name, events in claims.items():
    events.sort()
    created = [x for x in events if x[2] == 'create']
    mine = [x for x in events if x[4] == user]
    status = [x for x in mine if x[3] == 'status']
    if not created or not status:
        continue
    t, done = created[0][1], status[0]
    steps = [('claim write', x[0], x[1]) for x in mine if x[3] == '' and x[2] in ('update', 'patch') and x[0] < done[0]]
    adoption = next((a for a in adoptions if t <= a[0] < done[0]), None)
    if adoption:
        steps.append(('adoption', adoption[0], adoption[1]))
    steps.sort(key=lambda s: s[1])
    steps.append(('status', done[0], done[1]))
    previous, before = 'create', t
    for i, (what, start, end) in enumerate(steps):
        figures.setdefault('%d. %s -> %s' % (i + 1, previous, what), []).append(start - before)
        figures.setdefault('%d. %s' % (i + 1, what), []).append(end - start)
        previous, before = what, end
    figures.setdefault('create -> status done', []).append(done[1] - t)
    conflicts.append(len([x for x in mine if x[5] == 409]))


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


print(len(conflicts), 'claims')
for label, values in sorted(figures.items(), key=lambda kv: (kv[0][0] == 'c', kv[0].split('.')[0], '->' not in kv[0])):
    print('%-34s p50 %6.1f p90 %6.1f  (%d claims)' % (label, p(values, 0.5), p(values, 0.9), len(values)))
if conflicts:
    print('%-34s p50 %6.1f p90 %6.1f' % ('409s per claim', p(conflicts, 0.5), p(conflicts, 0.9)))
