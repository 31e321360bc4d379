// Collatz trajectory length per thread: each thread iterates its own start value until it
// reaches 1, so trip counts differ from thread to thread (a divergent loop).
__global__ void collatz(const unsigned int* __restrict__ start, int* __restrict__ steps, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    unsigned long long v = start[i];
    int count = 0;
    while (v != 1) {
        if (v & 1)
            v = 3 * v + 1;
        else
            v >>= 1;
        ++count;
    }
    steps[i] = count;
}
