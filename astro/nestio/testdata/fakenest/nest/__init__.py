"""A stand-in for PyNEST that records the calls of an exported script.

Tests run the exported scripts against it (PYTHONPATH=testdata/fakenest) and
compare the recorded calls with the astronb calls that were exported. It
checks what NEST's NodeCollections check: IDs sorted and unique, joins not
overlapping, slices inside the collection. The calls are written as JSON to
the file named by $FAKENEST_OUT when the script ends.
"""
import atexit
import json
import os

__version__ = os.environ.get("FAKENEST_VERSION", "3.8.0")

_calls = []
_nodes = 0


class NodeCollection:
    def __init__(self, ids=()):
        ids = list(ids)
        if ids != sorted(ids):
            raise ValueError("Node IDs must be sorted in ascending order")
        if len(set(ids)) != len(ids):
            raise ValueError("All node IDs in a NodeCollection have to be unique")
        if any(not isinstance(i, int) or i < 1 or i > _nodes for i in ids):
            raise ValueError("node IDs must exist")
        self.ids = ids

    def __add__(self, other):
        if set(self.ids) & set(other.ids):
            raise ValueError("Cannot join overlapping NodeCollections.")
        return NodeCollection(sorted(self.ids + other.ids))

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("only slices with step 1")
        if not (0 <= key.start < key.stop <= len(self.ids)):
            raise IndexError("slice outside of the NodeCollection")
        return NodeCollection(self.ids[key.start:key.stop])

    def __len__(self):
        return len(self.ids)


def _rec(op, **kw):
    kw["op"] = op
    _calls.append(kw)


def ResetKernel():
    global _nodes
    _nodes = 0
    _calls.clear()
    _rec("ResetKernel")


def set_verbosity(level):
    pass


def SetKernelStatus(d):
    _rec("SetKernelStatus", params=d)


def Create(model, n=1, params=None):
    global _nodes
    first = _nodes + 1
    _nodes += n
    if isinstance(params, list) and len(params) != n:
        raise ValueError("params list must have one dict per node")
    _rec("Create", model=model, n=n, params=params)
    return NodeCollection(range(first, first + n))


def Connect(pre, post, conn_spec=None, syn_spec=None):
    _rec("Connect", pre=pre.ids, post=post.ids, conn_spec=conn_spec, syn_spec=syn_spec)


def TripartiteConnect(pre, post, third, conn_spec, third_factor_conn_spec=None, syn_specs=None):
    _rec("TripartiteConnect", pre=pre.ids, post=post.ids, third=third.ids, conn_spec=conn_spec,
         third_factor_conn_spec=third_factor_conn_spec, syn_specs=syn_specs)


def SetStatus(nodes, params):
    _rec("SetStatus", nodes=nodes.ids, params=params)


def Prepare():
    _rec("Prepare")


def Run(t):
    if not isinstance(t, float):
        raise TypeError("Run takes a float")
    _rec("Run", t=t)


def Cleanup():
    _rec("Cleanup")


def Rank():
    return 0


@atexit.register
def _dump():
    out = os.environ.get("FAKENEST_OUT")
    if out:
        with open(out, "w") as f:
            json.dump(_calls, f)
