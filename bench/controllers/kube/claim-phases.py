#!/usr/bin/env python3
"""Where a claim's time goes, from the API server's audit log (docs/benchmarks.md, "Controllers on a real API server").

  bench/controllers/kube/claim-phases.py target/bench-kube/plane/audit.log warm-ours-1 [controller-user]

For every claim of the namespace: from its create to the controller's first write of the claim (ours: the commit
annotation), that write, the gap to the Sandbox's adoption, the adoption, the gap to the claim's status patch, the
status patch, and create -> status done; p50 and p90 over the claims, in ms (API server timestamps). The user is the
controller's ServiceAccount name (default agent-sandbox-controller; upstream: agent-sandbox-upstream-controller).
"""
import json,sys,re,statistics
from datetime import datetime
f,ns=sys.argv[1],sys.argv[2]
user=sys.argv[3] if len(sys.argv)>3 else 'agent-sandbox-controller'
def ts(s): return datetime.fromisoformat(s.replace('Z','+00:00')).timestamp()*1000
claims={}
sbx_adopt=[]
for line in open(f):
    if ns not in line: continue
    e=json.loads(line)
    if e.get('stage')!='ResponseComplete': continue
    o=e.get('objectRef',{})
    if o.get('namespace')!=ns: continue
    u=e['user']['username'].split(':')[-1]
    t0=ts(e['requestReceivedTimestamp']); t1=ts(e['stageTimestamp'])
    r=o.get('resource'); n=o.get('name'); sub=o.get('subresource','')
    if r=='sandboxclaims' and n and n.startswith('claim-'):
        claims.setdefault(n,[]).append((t0,t1,e['verb'],sub,u,e['responseStatus']['code']))
    if r=='sandboxes' and e['verb'] in('update','patch') and sub=='' and u==user:
        sbx_adopt.append((t0,t1,n,e['verb']))
rows=[]
for n,evs in claims.items():
    evs.sort()
    c=[x for x in evs if x[2]=='create']
    if not c: continue
    t=c[0][0]
    mine=[x for x in evs if x[4]==user]
    st=[x for x in mine if x[3]=='status']
    if not st: continue
    s=st[0]
    # first claim write by controller (commit)
    w=[x for x in mine if x[3]=='' and x[2] in ('update','patch')]
    cm=w[0] if w else None
    ad=[a for a in sbx_adopt if cm and a[0]>=cm[1]-1 and a[0]<s[0]]
    ad=ad[0] if ad else None
    rows.append((n, cm[0]-t if cm else None, (cm[1]-cm[0]) if cm else None, (ad[0]-cm[1]) if ad else None, (ad[1]-ad[0]) if ad else None, (s[0]-(ad[1] if ad else cm[1])) if cm else None, s[1]-s[0], s[1]-t, len([x for x in mine if x[5]==409])))
def med(i):
    v=[r[i] for r in rows if r[i] is not None]
    v.sort(); 
    return "p50 %.1f p90 %.1f"%(v[len(v)//2], v[int(len(v)*0.9)]) if v else '-'
names=['create->commit','commit','commit->adopt','adopt','adopt->status','status','create->status done','409s']
print(len(rows),'claims')
for i,nm in enumerate(names,1): print("%-22s %s"%(nm,med(i)))
