import IngotVerify

extension TensorDiff.Row {
    /// SQNR, max |err| and cosine as every report shows them ("identical" for an SQNR of +∞, "-" when not compared).
    public var figures: [String] {
        [sqnrDB.map { $0 == .infinity ? "identical" : ReportNumber.fixed($0, 2) } ?? "-", maxAbs.map(ReportNumber.num) ?? "-",
         cosine.map { ReportNumber.fixed($0, 6) } ?? "-"]
    }
}
