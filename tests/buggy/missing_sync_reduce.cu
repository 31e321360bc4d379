// Tree reduction with the __syncthreads() inside the loop forgotten: step s reads what other
// threads wrote in step s / 2.
// check: --grid 2 --block 128 --arg n=256
__global__ void reduce(const float* in, float* out, int n)
{
    __shared__ float s[128];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? in[i] : 0.0f;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride)
            s[t] += s[t + stride];  // expect: PORT8001
    }
    if (t == 0)
        out[blockIdx.x] = s[0];
}
