// A loop whose trip count depends on the thread, with a barrier inside.
// check: --grid 1 --block 32 --arg n=32
__global__ void triangle(float* x, int n)
{
    __shared__ float s[32];
    s[threadIdx.x] = x[threadIdx.x];
    for (int k = 0; k < threadIdx.x % 4; ++k) {
        __syncthreads();  // expect: PORT3001 PORT8005
        x[threadIdx.x] += s[(threadIdx.x + k) % blockDim.x];
    }
}
