/// Overflow-checked size arithmetic for sizes read from foreign files (IngotFormat's own helper is internal).
/// Every size that comes from file bytes goes through these before it is used as an offset or a count.
enum CheckedSize {
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    static func mul(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// A UInt64 from a file as an Int, nil when it does not fit.
    static func int(_ v: UInt64) -> Int? { v <= UInt64(Int.max) ? Int(v) : nil }
}
