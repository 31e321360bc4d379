// Layer normalisation over the last axis, one block per row: shared-memory reductions for the
// mean and then the variance (two passes over the row, numerically safer than E[x^2]-E[x]^2),
// then y = (x - mean) / sqrt(var + eps) * gamma + beta.
#define THREADS 128

__device__ float block_sum(float v, float* red)
{
    int tid = threadIdx.x;
    red[tid] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s)
            red[tid] += red[tid + s];
        __syncthreads();
    }
    float total = red[0];
    __syncthreads();
    return total;
}

__global__ void layernorm(const float* __restrict__ x, const float* __restrict__ gamma,
                          const float* __restrict__ beta, float* __restrict__ y, int cols,
                          float eps)
{
    __shared__ float red[THREADS];
    int base = blockIdx.x * cols;

    float s = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        s += x[base + j];
    float mean = block_sum(s, red) / cols;

    float q = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float d = x[base + j] - mean;
        q += d * d;
    }
    float rstd = rsqrtf(block_sum(q, red) / cols + eps);

    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        y[base + j] = (x[base + j] - mean) * rstd * gamma[j] + beta[j];
}
