"""Config and content messages: id -> (Vietnamese, English). Rendered by campaigns/i18n.py.

Each says what is wrong and what to write instead, in the words of the people who write the
config (communications staff), not the validator's. Fields in braces are filled in by name.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "config.problems": (
        "{count} lỗi trong cấu hình:",
        "{count} problem(s) in the config:",
    ),
    "config.line": ("(dòng {line})", "(line {line})"),
    # reading a file
    "cfg.no_dir": ("thư mục cấu hình không tồn tại", "config directory does not exist"),
    "cfg.missing_file": ("thiếu tệp này", "file is missing"),
    "cfg.no_campaigns": (
        "không có tệp chiến dịch (*.yaml) nào",
        "no campaign files (*.yaml) found",
    ),
    "cfg.too_big": (
        "tệp lớn hơn {mb} MB: không đọc",
        "larger than {mb} MB: not read",
    ),
    "cfg.aliases": (
        "các bí danh (alias) YAML lồng nhau quá {limit} giá trị hoặc tự trỏ vào mình: không đọc",
        "aliases expand to more than {limit} values, or refer to themselves: not read",
    ),
    "cfg.too_deep": ("lồng nhau quá sâu: không đọc", "nested too deeply: not read"),
    "cfg.yaml": (
        "không phải YAML hợp lệ ({detail}): kiểm tra thụt lề và dấu ':' ở dòng này",
        "not valid YAML ({detail}): check the indentation and the ':' on this line",
    ),
    "cfg.not_utf8": (
        "tệp không lưu ở dạng UTF-8 (ký tự lạ ở dòng {line}, có thể là Windows-1258 hay TCVN3):"
        " mở tệp và lưu lại với bảng mã UTF-8",
        "the file is not saved as UTF-8 (a stray byte on line {line}, perhaps Windows-1258 or"
        " TCVN3): open it and save it again with the UTF-8 encoding",
    ),
    "cfg.cannot_read": ("không đọc được tệp: {detail}", "cannot read: {detail}"),
    "cfg.list_file": (
        "tệp này phải có khóa '{key}:' với một danh sách bên dưới (mỗi mục bắt đầu bằng '- ')",
        "this file must hold the key '{key}:' with a list under it (each entry starting '- ')",
    ),
    "cfg.file_key": (
        "khóa lạ '{key}': tệp này chỉ có khóa '{only}'; xóa '{key}' hoặc đưa vào trong '{only}'",
        "unknown key '{key}': this file holds only '{only}'; remove '{key}' or move it under"
        " '{only}'",
    ),
    "cfg.file_key_guess": (
        "khóa lạ '{key}': tệp này chỉ có khóa '{only}'; có phải ý bạn là '{guess}'?",
        "unknown key '{key}': this file holds only '{only}'; did you mean '{guess}'?",
    ),
    # keys and values
    "cfg.missing": ("thiếu khóa bắt buộc '{key}'", "required key '{key}' is missing"),
    "cfg.unknown_key": (
        "khóa lạ '{key}': kiểm tra chính tả, hoặc xóa nó",
        "unknown key '{key}': check its spelling, or remove it",
    ),
    "cfg.unknown_key_guess": (
        "khóa lạ '{key}': có phải ý bạn là '{guess}'?",
        "unknown key '{key}': did you mean '{guess}'?",
    ),
    "cfg.bad_id": (
        "'{value}' không dùng làm mã được: mã chỉ gồm chữ thường không dấu a-z, chữ số và dấu"
        " '-', bắt đầu bằng chữ hoặc số; ví dụ viết '{example}'",
        "'{value}' cannot be an id: an id holds only lower-case letters a-z without diacritics,"
        " digits and '-', and starts with a letter or digit; write for example '{example}'",
    ),
    "cfg.date": (
        "'{value}' không phải là ngày: viết YYYY-MM-DD (2024-10-15) hoặc DD/MM/YYYY (15/10/2024)",
        "'{value}' is not a date: write YYYY-MM-DD (2024-10-15) or DD/MM/YYYY (15/10/2024)",
    ),
    "cfg.datetime": (
        "'{value}' không phải là ngày giờ: viết như 2024-03-15T08:00:00+07:00 hoặc"
        " 15/03/2024 08:00",
        "'{value}' is not a date and time: write it like 2024-03-15T08:00:00+07:00 or"
        " 15/03/2024 08:00",
    ),
    "cfg.date_dmy": (
        "'{value}' chưa đúng dạng ngày ở đây: viết {example} (YYYY-MM-DD) hoặc DD/MM/YYYY",
        "'{value}' is not a date as written here: write {example} (YYYY-MM-DD) or DD/MM/YYYY",
    ),
    "loa.date": (
        "'{value}' không phải là ngày: viết YYYY-MM-DD (2024-10-15) hoặc DD/MM/YYYY (15/10/2024)",
        "'{value}' is not a date: write YYYY-MM-DD (2024-10-15) or DD/MM/YYYY (15/10/2024)",
    ),
    "loa.date_with_time": (
        "'{value}' có kèm giờ: chỉ ghi ngày, YYYY-MM-DD (2024-10-15) hoặc DD/MM/YYYY (15/10/2024)",
        "'{value}' has a time: give the day alone, YYYY-MM-DD (2024-10-15) or DD/MM/YYYY"
        " (15/10/2024)",
    ),
    "loa.datetime": (
        "'{value}' không phải là ngày giờ: viết YYYY-MM-DDTHH:MM:SS+07:00"
        " (2024-10-15T08:00:00+07:00) hoặc DD/MM/YYYY HH:MM (15/10/2024 08:00)",
        "'{value}' is not a date and time: write YYYY-MM-DDTHH:MM:SS+07:00"
        " (2024-10-15T08:00:00+07:00) or DD/MM/YYYY HH:MM (15/10/2024 08:00)",
    ),
    "cfg.choice": (
        "'{value}' không được dùng ở đây: chọn một trong {choices}",
        "'{value}' is not allowed here: use one of {choices}",
    ),
    "cfg.choice_guess": (
        "'{value}' không được dùng ở đây: có phải ý bạn là '{guess}'? (chọn một trong {choices})",
        "'{value}' is not allowed here: did you mean '{guess}'? (use one of {choices})",
    ),
    "cfg.units_form": (
        "'{value}' không chọn được đơn vị: viết 'all' (mọi đơn vị), một danh sách mã đơn vị"
        " như [bien-hoa, long-khanh], hoặc một bộ lọc như {example}",
        "'{value}' does not pick units: write 'all' (every unit), a list of unit codes like"
        " [bien-hoa, long-khanh], or a selector like {example}",
    ),
    "cfg.no_form": (
        "'{value}' không phải là giá trị hợp lệ ở đây",
        "'{value}' is not a valid value here",
    ),
    "cfg.type": (
        "phải là {what} (đang là {value})",
        "must be {what} (got {value})",
    ),
    "type.integer": ("một số nguyên, như 3", "a whole number, like 3"),
    "type.number": ("một số, như 1.5", "a number, like 1.5"),
    "type.bool": ("true hoặc false", "true or false"),
    "type.text": ("chữ", "text"),
    "type.list": ("một danh sách, như [a, b]", "a list, like [a, b]"),
    "type.mapping": (
        "các dòng 'khóa: giá trị' thụt vào bên dưới",
        "'key: value' lines indented under it",
    ),
    "cfg.at_least": (
        "phải từ {limit} trở lên (đang là {value})",
        "must be {limit} or more (got {value})",
    ),
    "cfg.more_than": (
        "phải lớn hơn {limit} (đang là {value})",
        "must be more than {limit} (got {value})",
    ),
    "cfg.at_most": (
        "phải từ {limit} trở xuống (đang là {value})",
        "must be {limit} or less (got {value})",
    ),
    "cfg.less_than": (
        "phải nhỏ hơn {limit} (đang là {value})",
        "must be less than {limit} (got {value})",
    ),
    "cfg.too_short": (
        "cần ít nhất {count} mục",
        "needs at least {count} entry(ies)",
    ),
    "cfg.empty": ("không được để trống", "cannot be empty"),
    "cfg.too_long": ("dài quá {count} ký tự", "longer than {count} characters"),
    "cfg.invalid": ("giá trị không hợp lệ: {detail}", "not valid: {detail}"),
    # places and references
    "cfg.outside": (
        "'{value}' nằm ngoài thư mục cấu hình (và các thư mục trong {env}): đặt tệp vào trong"
        " thư mục cấu hình",
        "'{value}' is outside the config folder (and {env}): put the file inside the config folder",
    ),
    "cfg.no_file": (
        "'{value}' không tồn tại trong thư mục cấu hình: kiểm tra đường dẫn",
        "'{value}' does not exist under the config folder: check the path",
    ),
    "cfg.dup_unit": ("mã đơn vị '{code}' bị trùng", "duplicate unit code '{code}'"),
    "cfg.dup_target": (
        "kênh '{target}' bị trùng: đặt cho nó một 'name' khác",
        "duplicate target '{target}' (give it a distinct 'name')",
    ),
    "cfg.dup_campaign": ("mã chiến dịch '{id}' bị trùng", "duplicate campaign id '{id}'"),
    "cfg.unknown_unit": (
        "không có đơn vị '{code}' trong units.yaml",
        "unknown unit '{code}' (not in units.yaml)",
    ),
    "cfg.unit_is_kind": (
        "'{code}' là một loại đơn vị, không phải mã đơn vị: viết units: {{kind: {code}}} để"
        " chọn mọi đơn vị loại này",
        "'{code}' is a kind of unit, not a unit code: write units: {{kind: {code}}} to pick"
        " every unit of that kind",
    ),
    "cfg.unknown_unit_guess": (
        "không có đơn vị '{code}' trong units.yaml: có phải ý bạn là '{guess}'?",
        "unknown unit '{code}' (not in units.yaml): did you mean '{guess}'?",
    ),
    "cfg.selector_key": (
        "bộ lọc đơn vị có khóa lạ ({keys}): dùng 'kind' hoặc 'parent'",
        "unknown selector key(s) ({keys}): use 'kind' or 'parent'",
    ),
    "cfg.selector_none": (
        "bộ lọc {{{selector}}} không chọn được đơn vị nào",
        "selector {{{selector}}} matches no unit",
    ),
    "cfg.measure": (
        "chỉ tiêu '{value}' không có: dùng một trong {choices}",
        "unknown measure '{value}': use one of {choices}",
    ),
    "cfg.measure_guess": (
        "chỉ tiêu '{value}' không có: có phải ý bạn là '{guess}'? (dùng một trong {choices})",
        "unknown measure '{value}': did you mean '{guess}'? (use one of {choices})",
    ),
    "cfg.quarter": ("'{value}': dùng Q1, Q2, Q3 hoặc Q4", "'{value}': use Q1, Q2, Q3 or Q4"),
    "cfg.negative_quota": ("chỉ tiêu không được âm", "a quota cannot be negative"),
    # the models' own rules (schema.py raises these by id)
    "loa.secret_in_config": (
        "credentials.{key} phải là tên một biến môi trường (như LOA_SNV_WP_PASSWORD), không bao"
        " giờ ghi mật khẩu vào đây",
        "credentials.{key} must name an environment variable (like LOA_SNV_WP_PASSWORD), never"
        " hold the secret itself",
    ),
    "loa.one_unit_form": (
        "ghi đúng một trong hai khóa 'unit' hoặc 'units'",
        "give exactly one of 'unit' or 'units'",
    ),
    "loa.source_needs": (
        "nguồn loại '{kind}' cần khóa '{key}'",
        "a '{kind}' source needs '{key}'",
    ),
    "loa.period_order": (
        "period.end ({end}) trước period.start ({start}): đổi chỗ hai ngày",
        "period.end ({end}) is before period.start ({start}): swap the two dates",
    ),
    "loa.schedule_one": (
        "ghi đúng một trong 'on_new_item: true', 'at: [...]' hoặc 'cron: ...'",
        "give exactly one of 'on_new_item: true', 'at: [...]' or 'cron: ...'",
    ),
    "loa.cron": (
        "'{value}' không phải biểu thức cron hợp lệ (ví dụ \"0 8 * * 1\": 8 giờ sáng thứ Hai)",
        "'{value}' is not a valid cron expression (like \"0 8 * * 1\": Mondays at 08:00)",
    ),
    "loa.match_empty": (
        "ghi 'topics' hoặc 'keywords' (hoặc bỏ 'match')",
        "give 'topics' or 'keywords' (or drop 'match')",
    ),
    "loa.quotas_both": (
        "ghi chỉ tiêu dưới '{new}' hoặc tên cũ '{old}', không ghi cả hai",
        "give the quotas under '{new}' or its old name '{old}', not both",
    ),
    "loa.hashtag": (
        "hashtag là dấu '#' và một từ không có khoảng trắng (như #NgayPhapLuat), không phải"
        " '{value}'",
        "a hashtag is '#' and one word without spaces (like #NgayPhapLuat), not '{value}'",
    ),
    "loa.hashtags_both": (
        "ghi 'add' hoặc 'replace', không ghi cả hai",
        "give 'add' or 'replace', not both",
    ),
    "loa.time_of_day": (
        '\'{value}\' không phải giờ trong ngày; viết "HH:MM" trong ngoặc kép, như "22:00"',
        '\'{value}\' is not a time of day; write it as "HH:MM" in quotes, like "22:00"',
    ),
    "loa.time_offset": (
        'ghi giờ địa phương (Asia/Ho_Chi_Minh) không kèm múi giờ; viết "HH:MM" trong ngoặc'
        ' kép, như "22:00"',
        'give the local time (Asia/Ho_Chi_Minh) without an offset; write it as "HH:MM" in'
        ' quotes, like "22:00"',
    ),
    # content files (Markdown articles, video lists)
    "content.problems": (
        "{count} lỗi trong các tệp nội dung:",
        "{count} problems in content files:",
    ),
    "content.no_dir": ("thư mục không tồn tại", "directory does not exist"),
    "content.no_file": ("tệp không tồn tại", "file does not exist"),
    "content.no_front": (
        "thiếu khối thông tin đầu bài (front matter): mở đầu tệp bằng một dòng '---', các"
        " trường (title: ...), rồi một dòng '---' nữa",
        "no front matter: start the file with a '---' line, the fields (title: ...), then"
        " another '---' line",
    ),
    "content.unclosed": (
        "khối thông tin đầu bài mở ở dòng 1 nhưng chưa đóng: thêm một dòng '---' sau trường"
        " cuối cùng",
        "the front matter opened on line 1 is never closed: add a '---' line after its last field",
    ),
    "content.front_lines": (
        "khối thông tin đầu bài phải là các dòng 'trường: giá trị'",
        "the front matter must be 'field: value' lines",
    ),
    "content.too_big": (
        "tệp nặng {size} MB, quá giới hạn 1 MB: tách thành nhiều bài",
        "the file is {size} MB; the limit is 1 MB: split it",
    ),
    "content.yaml": (
        "không phải YAML hợp lệ ({detail}): kiểm tra dấu ':' và dấu ngoặc kép",
        "not valid YAML ({detail}): check the ':' and the quotes",
    ),
    "content.video_list": (
        "phải là một danh sách video, mỗi mục bắt đầu bằng '- url: ...'",
        "must be a list of videos, each starting with '- url: ...'",
    ),
    "content.video_twice": ("video này được liệt kê hai lần", "the same video is listed twice"),
    "content.entry_lines": (
        "phải là các dòng 'trường: giá trị' (url, title, ...)",
        "must be 'field: value' lines (url, title, ...)",
    ),
    "content.unknown": (
        "trường lạ '{key}': dùng một trong {known}",
        "unknown field '{key}': use one of {known}",
    ),
    "content.unknown_guess": (
        "trường lạ '{key}': có phải ý bạn là '{guess}'? (dùng một trong {known})",
        "unknown field '{key}': did you mean '{guess}'? (use one of {known})",
    ),
    "content.required": ("thiếu '{key}' hoặc để trống", "'{key}' is missing or empty"),
    "content.text": ("phải là chữ", "must be text"),
    "content.no_text": (
        "không còn chữ nào sau khi bỏ thẻ định dạng",
        "has no text once its markup is removed",
    ),
    "content.url": (
        "phải là địa chỉ web bắt đầu bằng https:// (đang là {value!r})",
        "must be a web address starting with https:// (got {value!r})",
    ),
    "content.video": (
        "không phải đường dẫn video YouTube (đang là {value!r})",
        "not a YouTube video URL (got {value!r})",
    ),
    "content.image": (
        "phải là https://… hoặc một tệp ảnh nằm cạnh bài viết (đang là {value!r})",
        "must be https://… or a file next to the article (got {value!r})",
    ),
    "content.date": (
        "không phải là ngày: viết YYYY-MM-DD, YYYY-MM-DD HH:MM hoặc DD/MM/YYYY (đang là {value!r})",
        "not a date: use YYYY-MM-DD, YYYY-MM-DD HH:MM or DD/MM/YYYY (got {value!r})",
    ),
    "content.topics": (
        "phải là một chủ đề hoặc danh sách chủ đề",
        "must be a topic or a list of topics",
    ),
    # what `loa check` finds beyond the config files
    "audit.out_of_period": (
        "ngày đăng {day} nằm ngoài thời gian của chiến dịch {campaign} ({start} đến {end}):"
        " bài sẽ không bao giờ được đăng; sửa ngày đăng hoặc 'period' của chiến dịch",
        "published {day} is outside campaign {campaign}'s period ({start} to {end}): it would"
        " never be published; fix the date or the campaign's 'period'",
    ),
    "audit.no_target": (
        "chiến dịch {campaign} đăng lên kênh {kind} nhưng không đơn vị nào của nó có kênh"
        " {kind} trong targets.yaml: thêm kênh đó cho các đơn vị, hoặc bỏ {kind} khỏi 'channels'",
        "campaign {campaign} publishes to {kind} but none of its units has a {kind} target in"
        " targets.yaml: add one for its units, or remove {kind} from 'channels'",
    ),
    "audit.some_without_target": (
        "{count} đơn vị không có kênh {kind} nên không đăng kênh này: {units}",
        "{count} unit(s) have no {kind} target, so will not publish there: {units}",
    ),
}
