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

    /// ISO 8601 week-based year and week number (`%G`, `%V`).
    private var isoWeek: (year: Int, week: Int) {
        // The week belongs to the year of its Thursday.
        let thursday = daysSinceEpoch - weekdayFromMonday + 3
        var y = year + 1
        while TemplateDate(year: y, month: 1, day: 1).daysSinceEpoch > thursday { y -= 1 }
        return (y, (thursday - TemplateDate(year: y, month: 1, day: 1).daysSinceEpoch) / 7 + 1)
    }

    /// `strftime` as Python's `datetime.strftime` does it on Linux (glibc, C locale): the flags `-` (no padding),
    /// `_` (space padding), `0`, `^` (upper case) and `#` (names in upper case), the `E`/`O` modifiers, `%z`/`%Z`
    /// empty (a naive datetime), an unknown directive kept as written, and the format cut at a NUL character.
    /// `%s` and `%f` need a time zone or microseconds that `TemplateDate` does not have: they are refused.
    func format(_ format: String) throws(TemplateError) -> String {
        let s = Array(format.unicodeScalars.prefix { $0 != "\0" })
        var out = ""
        var i = 0
        while i < s.count {
            guard s[i] == "%" else {
                out.unicodeScalars.append(s[i])
                i += 1
                continue
            }
            var j = i + 1
            var flags: Set<Unicode.Scalar> = []
            while j < s.count, "-_0^#".unicodeScalars.contains(s[j]) {
                flags.insert(s[j])
                j += 1
            }
            while j < s.count, s[j] == "E" || s[j] == "O" { j += 1 }
            guard j < s.count else {
                out.unicodeScalars.append(contentsOf: s[i...])
                break
            }
            let d = s[j]
            let written = PythonString.string(s[i...j])
            i = j + 1
            func num(_ v: Int, _ width: Int, _ fill: Character = "0") -> String {
                let digits = String(v)
                let padding: Character? = flags.contains("-") ? nil : flags.contains("_") ? " " : flags.contains("0") ? "0" : fill
                guard let padding, digits.count < width else { return digits }
                return String(repeating: padding, count: width - digits.count) + digits
            }
            func name(_ text: String) -> String { flags.contains("^") || flags.contains("#") ? text.uppercased() : text }
            switch d {
            case "a": out += name(String(Self.dayNames[weekdayFromMonday].prefix(3)))
            case "A": out += name(Self.dayNames[weekdayFromMonday])
            case "b", "h": out += name(String(Self.monthNames[month - 1].prefix(3)))
            case "B": out += name(Self.monthNames[month - 1])
            case "d": out += num(day, 2)
            case "e": out += num(day, 2, " ")
            case "m": out += num(month, 2)
            case "y": out += num(year % 100, 2)
            case "Y": out += num(year, 1)
            case "C": out += num(year / 100, 2)
            case "G": out += num(isoWeek.year, 1)
            case "g": out += num(isoWeek.year % 100, 2)
            case "V": out += num(isoWeek.week, 2)
            case "U": out += num((dayOfYear - 1 + 7 - (weekdayFromMonday + 1) % 7) / 7, 2)
            case "W": out += num((dayOfYear - 1 + 7 - weekdayFromMonday) / 7, 2)
            case "H": out += num(hour, 2)
            case "k": out += num(hour, 2, " ")
            case "I": out += num(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "l": out += num(hour % 12 == 0 ? 12 : hour % 12, 2, " ")
            case "M": out += num(minute, 2)
            case "S": out += num(second, 2)
            case "p": out += flags.contains("#") ? (hour < 12 ? "am" : "pm") : (hour < 12 ? "AM" : "PM")
            case "P": out += hour < 12 ? "am" : "pm"
            case "j": out += num(dayOfYear, 3)
            case "w": out += String((weekdayFromMonday + 1) % 7)
            case "u": out += String(weekdayFromMonday + 1)
            case "D", "x": out += try self.format("%m/%d/%y")
            case "F": out += try self.format("%Y-%m-%d")
            case "T", "X": out += try self.format("%H:%M:%S")
            case "R": out += try self.format("%H:%M")
            case "r": out += try self.format("%I:%M:%S %p")
            case "c": out += try self.format("%a %b %e %H:%M:%S %Y")
            case "z", "Z": break
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            case "s", "f":
                throw TemplateError(.unsupported, "unsupported strftime directive '%\(d)'")
            default:
                out += written
            }
        }
        return out
    }
}
