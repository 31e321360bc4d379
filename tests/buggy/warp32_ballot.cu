// A ballot kept in 32 bits and counted with __popc: on a 64-lane wavefront half is lost.
// check: --grid 1 --block 32 --arg n=32
__global__ void count_positive(const float* x, int* out, int n)
{
    unsigned b = __ballot_sync(0xffffffff, x[threadIdx.x] > 0.0f);  // expect: PORT7003 PORT7002
    if (threadIdx.x == 0)
        out[0] = __popc(b);
}
