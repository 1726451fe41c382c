// Fused NT-Xent (Eq. 8 with unit-norm rows) for the CPU, one replica per work unit.
//
// With unit-norm rows and inverse temperature it, every similarity is at most it, so
// E = exp(it Z Z^T - it) (diagonal zeroed) needs no row maximum and is symmetric.  For one
// replica a unit forms E in a buffer of its thread, the row sums D (log-sum-exp = log D + it)
// and, in one product, E [Z, D^-1 Z]: its first half gives P Z = D^-1 E Z and its second
// P^T Z = E D^-1 Z (P = D^-1 E).  Returns the log-sum-exps [R, 2N] and P Z + P^T Z [R, 2N, m].
//
// A replica's arithmetic does not depend on how many replicas are trained together: each is
// computed by one thread, inside a parallel region, where the matrix products run on that
// thread alone.  A change to the arithmetic here changes every contrastive result: bump
// landscape.cache.METHOD_VERSIONS["cl"] with it, so that cached and shipped runs are retrained.
#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <vector>

using at::Tensor;

namespace {
int64_t round_up(int64_t x, int64_t k) { return (x + k - 1) / k * k; }
}  // namespace

std::vector<Tensor> ntxent_unit_rows(const Tensor& z_in, const Tensor& inv_t_in) {
  TORCH_CHECK(z_in.dim() == 3, "z must be [R, 2N, m]");
  const Tensor z = z_in.contiguous();
  const int64_t R = z.size(0), n2 = z.size(1), m = z.size(2);
  const Tensor it = inv_t_in.reshape({R, 1, 1}).to(z.scalar_type());
  // [it Z, -it] [Z, 1]^T = it Z Z^T - it: the shift comes out of the product.
  const Tensor lhs = at::cat({z * it, -it.expand({R, n2, 1})}, 2);
  const Tensor rhs = at::cat({z, at::ones({R, n2, 1}, z.options())}, 2);
  const Tensor it_d = inv_t_in.reshape({R}).to(at::kDouble).contiguous();
  const double* itp = it_d.data_ptr<double>();
  const int64_t width = round_up(2 * m, 16);  // [Z, D^-1 Z] padded to whole vector registers
  Tensor lse = at::empty({R, n2}, z.options());
  Tensor g = at::empty({R, n2, m}, z.options());
  // grain 0: a parallel region even for one replica, so the products always run single-threaded
  at::parallel_for(0, R, 0, [&](int64_t begin, int64_t end) {
    Tensor E = at::empty({n2, n2}, z.options());
    Tensor W = at::zeros({n2, width}, z.options());
    Tensor out = at::empty({n2, width}, z.options());
    for (int64_t r = begin; r < end; ++r) {
      const Tensor zr = z[r];
      at::mm_out(E, lhs[r], rhs[r].t());
      E.exp_();
      E.diagonal().zero_();
      const Tensor rs = E.sum(1);
      lse[r].copy_(rs.log().add_(itp[r]));
      const Tensor inv = rs.reciprocal().unsqueeze(1);
      W.narrow(1, 0, m).copy_(zr);
      Tensor w2 = W.narrow(1, m, m);
      at::mul_out(w2, zr, inv);
      at::mm_out(out, E, W);
      Tensor gr = g[r];
      at::addcmul_out(gr, out.narrow(1, m, m), out.narrow(1, 0, m), inv);
    }
  });
  return {lse, g};
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("ntxent_unit_rows", &ntxent_unit_rows, "Fused NT-Xent with unit-norm rows (CPU)");
}
