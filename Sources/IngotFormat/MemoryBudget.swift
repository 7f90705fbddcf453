#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The most bytes one buffer a reader materialises (an inflated zip member, a decoded or copied tensor) may take:
/// half the memory this process can have. A size read from a file is checked against it before anything is
/// allocated, so a small file that claims gigabytes gets one error line naming the size instead of an allocation
/// that aborts the process (Swift traps when `allocate` fails).
///
/// "The memory this process can have" is the smallest of physical memory (sysconf), the cgroup memory limit of
/// the container it runs in (v2 `memory.max`, v1 `memory.limit_in_bytes`: sysconf reports the host's memory
/// there) and the address-space rlimit. Half, because the bytes a reader materialises are rarely the only copy
/// (the mapping, the converted output, the reference model of a verify).
public enum MemoryBudget {
    /// Computed once per process.
    public static let bytes: Int = budget(of: usableMemory())

    /// Half of `memory`, and never below 64 MiB (a machine reporting less is misreporting).
    public static func budget(of memory: Int) -> Int { max(memory / 2, 64 << 20) }

    /// A buffer of `count` bytes for `what` (a tensor, a decoded copy) would exceed `cap`.
    public struct Exceeded: Error, Equatable, Sendable, CustomStringConvertible {
        public let what: String
        public let count: Int
        public let cap: Int

        public init(what: String, count: Int, cap: Int) {
            self.what = what
            self.count = count
            self.cap = cap
        }

        public var description: String {
            "\(what) needs \(count) bytes in memory, more than this machine can hold (the cap is \(cap) bytes, half its memory)"
        }
    }

    /// Throws when `count` bytes are more than `cap` (the budget unless a caller tests with a smaller one).
    public static func check(_ count: Int, for what: @autoclosure () -> String, cap: Int = bytes) throws(Exceeded) {
        guard count <= cap else { throw Exceeded(what: what(), count: count, cap: cap) }
    }

    public static func usableMemory() -> Int {
        var memory = Int.max
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0, let m = Checked.mul(pages, pageSize) { memory = m }
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            // "max" (v2) or a huge page-rounded Int64 (v1) mean no limit; both parse to nil or exceed `memory`.
            if let limit = readSmallInt(file), limit > 0 { memory = min(memory, limit) }
        }
        var r = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
            let resource = RLIMIT_AS
        #endif
        // RLIM_INFINITY is all ones (Linux) or 2^63 - 1 (Darwin): both fail the `<` test.
        if getrlimit(resource, &r) == 0, r.rlim_cur > 0, UInt64(r.rlim_cur) < UInt64(Int.max) {
            memory = min(memory, Int(r.rlim_cur))
        }
        return memory == Int.max ? 8 << 30 : memory  // nothing reported: assume a small machine
    }

    /// A decimal integer from a short system file, nil when absent or not a number.
    private static func readSmallInt(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer.prefix(n), as: UTF8.self).trimmingSpaces
        return Int(text)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.last, c == "\n" || c == " " { s = s.dropLast() }
        return String(s)
    }
}
