// Row softmax, one block per row: a shared-memory max reduction (for stability), a
// shared-memory sum reduction of exp(x - max), then the normalised write.
#define THREADS 128
#define NEG_FLT_MAX (-3.402823466e+38f)

__global__ void softmax_rows(const float* __restrict__ x, float* __restrict__ y, int rows,
                             int cols)
{
    __shared__ float red[THREADS];
    int row = blockIdx.x;
    int tid = threadIdx.x;
    if (row >= rows)
        return;

    float m = NEG_FLT_MAX;
    for (int j = tid; j < cols; j += blockDim.x)
        m = fmaxf(m, x[row * cols + j]);
    red[tid] = m;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s)
            red[tid] = fmaxf(red[tid], red[tid + s]);
        __syncthreads();
    }
    float row_max = red[0];
    __syncthreads();

    float sum = 0.0f;
    for (int j = tid; j < cols; j += blockDim.x)
        sum += expf(x[row * cols + j] - row_max);
    red[tid] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s)
            red[tid] += red[tid + s];
        __syncthreads();
    }
    float inv_sum = 1.0f / red[0];

    for (int j = tid; j < cols; j += blockDim.x)
        y[row * cols + j] = expf(x[row * cols + j] - row_max) * inv_sum;
}
