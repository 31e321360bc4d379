/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <climits> /* real thrust brings the limits macros in */
namespace thrust {
template <class T> class device_ptr { public: device_ptr(); explicit device_ptr(T *); T *get() const; };
template <class T> device_ptr<T> device_pointer_cast(T *); template <class T> T *raw_pointer_cast(device_ptr<T>); template <class T> T *raw_pointer_cast(T *);
template <class T, class A = void> class device_vector { public: device_vector(); device_vector(unsigned long); device_vector(unsigned long, const T &); template <class I> device_vector(I, I); T *data(); unsigned long size() const; device_ptr<T> begin(); device_ptr<T> end(); void resize(unsigned long); T operator[](unsigned long) const; };
template <class T, class A = void> class host_vector { public: host_vector(); host_vector(unsigned long); host_vector(unsigned long, const T &); template <class I> host_vector(I, I); T *data(); unsigned long size() const; T *begin(); T *end(); void resize(unsigned long); T &operator[](unsigned long); };
template <class T> struct plus { __host__ __device__ T operator()(const T &a, const T &b) const { return a + b; } };
template <class T> struct minus { __host__ __device__ T operator()(const T &a, const T &b) const { return a - b; } };
template <class T> struct multiplies { __host__ __device__ T operator()(const T &a, const T &b) const { return a * b; } };
template <class T> struct maximum { __host__ __device__ T operator()(const T &a, const T &b) const { return a < b ? b : a; } };
template <class T> struct minimum { __host__ __device__ T operator()(const T &a, const T &b) const { return a < b ? a : b; } };
template <class T> struct less { __host__ __device__ bool operator()(const T &a, const T &b) const { return a < b; } };
template <class T> struct greater { __host__ __device__ bool operator()(const T &a, const T &b) const { return a > b; } };
template <class T> struct equal_to { __host__ __device__ bool operator()(const T &a, const T &b) const { return a == b; } };
template <class T> struct identity { __host__ __device__ T operator()(const T &a) const { return a; } };
template <class... T> class tuple; template <class... T> tuple<T...> make_tuple(T...); template <int N, class T> int get(T &);
template <class T> class counting_iterator { public: counting_iterator(T); }; template <class T> counting_iterator<T> make_counting_iterator(T);
template <class... T> class zip_iterator; template <class T> T make_zip_iterator(T);
template <class F, class I> class transform_iterator { public: transform_iterator(I, F); }; template <class F, class I> transform_iterator<F, I> make_transform_iterator(I, F);
template <class T = void> class discard_iterator {}; template <class T = void> discard_iterator<T> make_discard_iterator();
template <class T> class constant_iterator { public: constant_iterator(T); }; template <class T> constant_iterator<T> make_constant_iterator(T);
template <class T> device_ptr<T> device_malloc(unsigned long); template <class T> void device_free(device_ptr<T>);
struct default_random_engine { default_random_engine(unsigned = 0); void discard(unsigned long long); unsigned operator()(); };
namespace random { typedef default_random_engine default_random_engine; template <class T> struct uniform_real_distribution { uniform_real_distribution(T, T); template <class E> T operator()(E &); }; template <class T> struct uniform_int_distribution { uniform_int_distribution(T, T); template <class E> T operator()(E &); }; }
template <class T> struct uniform_real_distribution { uniform_real_distribution(T, T); template <class E> T operator()(E &); };
namespace system { namespace cuda { struct par_t {}; extern par_t par; } } namespace cuda { struct par_t {}; extern par_t par; }
struct device_execution_policy {}; extern device_execution_policy device; extern device_execution_policy host;
template <class... A> void sort(A...); template <class... A> void stable_sort(A...); template <class... A> void sort_by_key(A...); template <class... A> void stable_sort_by_key(A...);
template <class... A> void copy(A...); template <class... A> void fill(A...); template <class... A> void sequence(A...); template <class... A> void generate(A...);
template <class... A> void transform(A...); template <class... A> void for_each(A...); template <class... A> void inclusive_scan(A...); template <class... A> void exclusive_scan(A...);
template <class... A> void inclusive_scan_by_key(A...); template <class... A> void exclusive_scan_by_key(A...); template <class... A> void adjacent_difference(A...); template <class... A> void scatter(A...); template <class... A> void gather(A...);
template <class... A> int reduce(A...); template <class... A> int count(A...); template <class... A> int unique(A...); template <class... A> int unique_by_key(A...); template <class... A> int find(A...); template <class... A> int transform_reduce(A...); template <class... A> int reduce_by_key(A...); template <class... A> int max_element(A...); template <class... A> int min_element(A...); template <class... A> int remove_if(A...); template <class... A> int copy_if(A...); template <class... A> int lower_bound(A...); template <class... A> int upper_bound(A...); template <class... A> bool equal(A...);
namespace system { class system_error { public: const char *what() const; }; } using system::system_error;
namespace detail { template <class T> struct is_arithmetic { static const bool value = true; }; }
}
