// Every thread stores its id into one shared flag: which store wins is unspecified.
// check: --grid 1 --block 64 --arg n=64
__global__ void last_writer(int* out, int n)
{
    __shared__ int winner;
    winner = threadIdx.x;  // expect: PORT8001
    __syncthreads();
    if (threadIdx.x < n)
        out[threadIdx.x] = winner;
}
