// Signed integer arithmetic with C's rules: division truncates toward zero, the remainder
// takes the dividend's sign, right shifts of negative ints are arithmetic, and abs/min/max.
__global__ void int_divmod(const int* __restrict__ a, const int* __restrict__ b,
                           int* __restrict__ quot, int* __restrict__ rem, int* __restrict__ shr,
                           int* __restrict__ mixed, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        int x = a[i], d = b[i];
        quot[i] = x / d;
        rem[i] = x % d;
        shr[i] = x >> (i & 7);
        mixed[i] = min(abs(x), max(d, -d)) - max(x, d);
    }
}
