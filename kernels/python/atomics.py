"""Every cuda.atomic operation, with integer and tuple indices into 1-d and 2-d arrays."""

from portable import cuda


@cuda.jit
def atomics(vals, counters, grid2, maxmin, bits, wrap, swapped, slots, flag, table,
            winners):
    i = cuda.grid(1)
    if i >= vals.size:
        return
    v = vals[i]
    cuda.atomic.add(counters, 0, 1)
    cuda.atomic.sub(counters, 1, v)
    cuda.atomic.add(grid2, (v % 4, i % 3), v)
    cuda.atomic.max(maxmin, 0, v)
    cuda.atomic.min(maxmin, 1, v)
    cuda.atomic.and_(bits, 0, ~(1 << (i % 31)))
    cuda.atomic.or_(bits, 1, 1 << (v % 31))
    cuda.atomic.xor(bits, 2, v)
    cuda.atomic.inc(wrap, 0, 9)
    cuda.atomic.dec(wrap, 1, 9)
    # one writer per element: exch returns the value it replaced
    swapped[i] = cuda.atomic.exch(slots, i, v)
    # every thread tries to bump flag[0] from its initial value (kept in flag[1]): one wins
    if cuda.atomic.compare_and_swap(flag, flag[1], flag[1] + 1) == flag[1]:
        cuda.atomic.add(winners, 0, 1)
    # the first thread of each row of `table` claims it: cas with a tuple index
    if cuda.atomic.cas(table, (i % 4, 0), -1, i) == -1:
        cuda.atomic.add(winners, 1, 1)
