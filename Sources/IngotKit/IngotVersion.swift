/// The toolchain version written into provenance and verification stamps.
public enum IngotVersion {
    public static let string = "0.1.0"
}
