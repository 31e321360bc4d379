// A 1-D stencil that reads its neighbours' shared elements without a barrier after the load.
// check: --grid 4 --block 64 --arg n=256
__global__ void stencil(const float* in, float* out, int n)
{
    __shared__ float tile[66];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    tile[t + 1] = in[i];
    if (t == 0)
        tile[0] = i > 0 ? in[i - 1] : 0.0f;
    if (t == blockDim.x - 1)
        tile[t + 2] = i + 1 < n ? in[i + 1] : 0.0f;
    out[i] = tile[t] + tile[t + 1] + tile[t + 2];  // expect: PORT8001
}
