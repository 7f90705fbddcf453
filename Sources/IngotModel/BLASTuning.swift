
internal import CIngotKernels
internal import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs (e.g. Sapphire/Emerald Rapids) and falls back to its
/// generic SSE3 ("Prescott") kernels, about 3.4× slower here. OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads,
/// so the CLI asks this type which core to request and re-executes itself with the variable set.
public enum BLASTuning {
    /// The kernels OpenBLAS chose at load time.
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Stops OpenBLAS's worker threads. The pthreads build starts them when the library loads, and each spins on
    /// `sched_yield` for ~0.1 s (its thread timeout) before sleeping — on a 2-core machine that is half a core
    /// taken from whatever the process does first (a quantization, a header parse: 8 % of a SmolLM2 q4_0 conversion's
    /// CPU time). The llama forward pass calls only single-threaded sgemm; products that want OpenBLAS's threads
    /// (GPT-2, BERT, f32 matrix-vector steps) start them again on first use, as OpenBLAS does after a fork. The
    /// function is looked up at run time: a build without it (an OpenMP OpenBLAS) leaves things as they are.
    public static func releaseIdleThreads() {
        guard let f = dlsym(nil, "blas_thread_shutdown_") else { return }  // nil: RTLD_DEFAULT, every loaded library
        typealias Shutdown = @convention(c) () -> Int32
        _ = unsafeBitCast(f, to: Shutdown.self)()
    }

    /// A better core type to request, or nil when OpenBLAS's own choice is already as good as the CPU allows.
    public static func preferredCoreType() -> String? {
        let weak = ["prescott", "core2", "penryn", "dunnington", "nehalem", "sandybridge", "atom", "katmai", "unknown"]
        guard weak.contains(coreName.lowercased()) else { return nil }
        if ingot_cpu_has_avx512f() == 1 { return "SkylakeX" }
        if ingot_cpu_has_avx2_fma() == 1 { return "Haswell" }
        return nil
    }
}
