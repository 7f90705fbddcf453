
internal import CIngotKernels
internal import COpenBLAS

/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs (e.g. Sapphire/Emerald Rapids) and falls back to its
/// generic SSE3 ("Prescott") kernels, about 3.4× slower here. OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads,
/// so the CLI asks this type which core to request and re-executes itself with the variable set.
public enum BLASTuning {
    /// The kernels OpenBLAS chose at load time.
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
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
