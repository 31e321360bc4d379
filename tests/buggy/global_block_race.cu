// Every block stores its partial result to the same global element.
// check: --grid 4 --block 32 --arg n=128
__global__ void partial(const float* x, float* out, int n)
{
    __shared__ float s[32];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = x[i];
    __syncthreads();
    if (threadIdx.x == 0) {
        float acc = 0.0f;
        for (int k = 0; k < 32; ++k)
            acc += s[k];
        out[0] = acc;  // expect: PORT8002
    }
}
