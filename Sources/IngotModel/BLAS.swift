
internal import COpenBLAS

/// The two matrix products the forward pass needs, row-major, through OpenBLAS's `cblas_sgemm`.
/// Dimensions are validated against Int32 by `ModelConfig.validate` and `Transformer`, so the casts cannot trap.
enum BLAS {
    /// OpenBLAS's thread count is process-wide state; results are bit-reproducible only for a fixed count,
    /// because the count decides how each product is partitioned.
    static func setThreads(_ n: Int) {
        if openblas_get_num_threads() != Int32(n) { openblas_set_num_threads(Int32(n)) }
    }

    static var threads: Int { Int(openblas_get_num_threads()) }

    /// C[m, n] = alpha · A[m, k] · B[n, k]ᵀ + beta · C: a Linear layer (`x · Wᵀ`, W stored [out, in]) and q · kᵀ.
    static func gemmNT(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                    Int32(ldb), beta, c, Int32(ldc))
    }

    /// C[m, n] = alpha · A[m, k] · B[k, n] + beta · C: GPT-2's Conv1D (W stored [in, out]) and P · V.
    static func gemmNN(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                    Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m] = A[m, n] · x[n], A row-major (`transposed`: y[n] = Aᵀ · x[m]). One-token steps use this instead of sgemm
    /// with a single row, which OpenBLAS 0.3.21 still runs by packing the whole weight matrix first.
    static func gemv(transposed: Bool = false, m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                     y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, 0,
                    y, 1)
    }
}
