#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local date and time `strftime_now(format)` formats (transformers calls `datetime.now().strftime`).
/// Renders take it as a parameter so that tests and fixtures can fix it; by default it is the current local time.
public struct TemplateDate: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The current local time, as Python's `datetime.now()`.
    public static func now() -> TemplateDate {
        var t = time(nil)
        var parts = tm()
        _ = localtime_r(&t, &parts)
        return TemplateDate(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    private static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// Days since 1970-01-01 (proleptic Gregorian), from Howard Hinnant's `days_from_civil`.
    private var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// 0 = Monday … 6 = Sunday.
    private var weekdayFromMonday: Int { ((daysSinceEpoch % 7) + 7 + 3) % 7 }

    private var dayOfYear: Int {
        daysSinceEpoch - TemplateDate(year: year, month: 1, day: 1).daysSinceEpoch + 1
    }

    /// `strftime` in the C locale for the directives chat templates use, with glibc's `-` (no padding) flag.
    func format(_ format: String) throws(TemplateError) -> String {
        var out = ""
        var it = format.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard var d = it.next() else {
                out += "%"
                break
            }
            var pad = true
            if d == "-", let next = it.next() {
                pad = false
                d = next
            }
            func num(_ v: Int, _ width: Int, _ fill: Character = "0") -> String {
                let s = String(v)
                return pad && s.count < width ? String(repeating: fill, count: width - s.count) + s : s
            }
            switch d {
            case "a": out += String(Self.dayNames[weekdayFromMonday].prefix(3))
            case "A": out += Self.dayNames[weekdayFromMonday]
            case "b", "h": out += String(Self.monthNames[month - 1].prefix(3))
            case "B": out += Self.monthNames[month - 1]
            case "d": out += num(day, 2)
            case "e": out += num(day, 2, " ")
            case "m": out += num(month, 2)
            case "y": out += num(year % 100, 2)
            case "Y": out += String(year)
            case "C": out += num(year / 100, 2)
            case "H": out += num(hour, 2)
            case "I": out += num(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "M": out += num(minute, 2)
            case "S": out += num(second, 2)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += num(dayOfYear, 3)
            case "w": out += String((weekdayFromMonday + 1) % 7)
            case "u": out += String(weekdayFromMonday + 1)
            case "D": out += try self.format("%m/%d/%y")
            case "F": out += try self.format("%Y-%m-%d")
            case "T": out += try self.format("%H:%M:%S")
            case "R": out += try self.format("%H:%M")
            case "c": out += try self.format("%a %b %e %H:%M:%S %Y")
            case "x": out += try self.format("%m/%d/%y")
            case "X": out += try self.format("%H:%M:%S")
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default:
                throw TemplateError(.unsupported, "unsupported strftime directive '%\(d)'")
            }
        }
        return out
    }
}
