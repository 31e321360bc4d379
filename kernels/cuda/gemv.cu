// y = alpha * A x + beta * y for a row-major rows x cols matrix: one block per row, threads
// stride along the row, and a shared-memory tree combines their partial dot products.
#define THREADS 128

__global__ void gemv(const float* __restrict__ A, const float* __restrict__ x,
                     float* __restrict__ y, int rows, int cols, float alpha, float beta)
{
    __shared__ float partial[THREADS];
    int row = blockIdx.x;
    float acc = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        acc += A[row * cols + j] * x[j];
    partial[threadIdx.x] = acc;
    __syncthreads();

    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            partial[threadIdx.x] += partial[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        y[row] = alpha * partial[0] + beta * y[row];
}
