"""Software prefetch for kernels: ask the CPU to start loading an array element that will be needed soon.

Kernels that visit people in order but look up their households (or other rows in random order) stall on cache
misses once the arrays outgrow the caches: children are appended at the end of the people arrays, so their
households are scattered. A prefetch a few people ahead overlaps those misses with the work on the current
person. A prefetch never changes a result and never faults (a hint, not a load), so it needs no bounds check.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

AHEAD = 16  # how many people ahead to prefetch: covers a memory access at the per-person cost of the loops


@intrinsic
def prefetch(typingctx, arr, index):  # type: ignore[no-untyped-def]
    """Hint the CPU to load ``arr[index]`` (a 1-D array) into the cache (``llvm.prefetch``: read, keep)."""
    if not isinstance(arr, types.Array) or arr.ndim != 1 or not isinstance(index, types.Integer):
        return None
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        idx = context.cast(builder, args[1], signature.args[1], types.intp)
        ptr = builder.bitcast(builder.gep(ary.data, [idx]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, high temporal locality, data cache
        return context.get_dummy_value()

    return sig, codegen
