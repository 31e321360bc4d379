// Pre-Volta "warp-synchronous" tail of a reduction: the last warp reduces in shared memory
// without __syncwarp(), relying on lock-step execution that independent thread scheduling
// removed.
// check: --grid 1 --block 64 --arg n=64
__global__ void reduce_tail(const float* in, float* out, int n)
{
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = in[t];
    __syncthreads();
    if (t < 32) {
        volatile float* v = s;
        v[t] += v[t + 32];
        v[t] += v[t + 16];  // expect: PORT8001
        v[t] += v[t + 8];   // expect: PORT8001
        v[t] += v[t + 4];   // expect: PORT8001
        v[t] += v[t + 2];   // expect: PORT8001
        v[t] += v[t + 1];   // expect: PORT8001
    }
    if (t == 0)
        out[0] = s[0];
}
