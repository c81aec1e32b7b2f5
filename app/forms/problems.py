"""What can be wrong with a form definition: every problem's code and its Chinese and English
wording, the Problem a check reports, and DefinitionError, which carries all of them at once
(definition.py and xlsform.py find them; the admin page and the API show them)."""
import dataclasses


PROBLEMS = {
    "file_invalid": ("文件无法读取：{detail}", "The file cannot be read: {detail}"),
    "file_type": ("不支持的文件类型“{value}”（可用 .yaml、.yml、.json、.xlsx）",
                  "Unsupported file type '{value}' (use .yaml, .yml, .json or .xlsx)"),
    "sheet_missing": ("缺少工作表“{value}”", "The '{value}' sheet is missing"),
    "column_duplicate": ("列“{value}”出现了不止一次", "The column '{value}' appears more than once"),
    "settings_rows": ("settings 工作表只能有一行数据", "The settings sheet may hold only one data row"),
    "data_invalid": ("表单定义必须包含 settings、survey、choices 三部分",
                     "A form definition must be a mapping with settings, survey and choices"),
    "section_unknown": ("未知的部分“{value}”", "Unknown section '{value}'"),
    "section_invalid": ("“{value}”的格式不对", "'{value}' has the wrong shape"),
    "survey_empty": ("表单没有任何题目", "The form has no questions"),
    "row_invalid": ("这一行的格式不对", "This row has the wrong shape"),
    "column_unknown": ("未知的列“{value}”", "Unknown column '{value}'"),
    "column_not_allowed": ("{kind} 类型的行不能使用“{value}”列", "A {kind} row cannot use the '{value}' column"),
    "value_invalid": ("“{value}”列的值无效（是/否之类的词请加引号）",
                      "The '{value}' column has an invalid value (quote words such as yes or no)"),
    "translation_invalid": ("多语言文字应写成文字或 {{zh: …, en: …}}",
                            "Translated text must be a string or a {{zh: …, en: …}} mapping"),
    "form_id_missing": ("缺少 form_id", "form_id is missing"),
    "form_id_invalid": ("form_id 只能用小写字母、数字和下划线，并以字母开头",
                        "form_id may only hold lowercase letters, digits and _, starting with a letter"),
    "version_missing": ("缺少 version", "version is missing"),
    "language_invalid": ("语言代码“{value}”无效（例如 zh、en）", "Invalid language code '{value}' (e.g. zh, en)"),
    "type_missing": ("缺少类型", "The type is missing"),
    "type_unknown": ("未知的类型“{value}”", "Unknown type '{value}'"),
    "name_missing": ("缺少名称", "The name is missing"),
    "name_invalid": ("名称“{value}”无效：只能用字母、数字和下划线，不能以数字开头",
                     "Invalid name '{value}': use letters, digits and _, not starting with a digit"),
    "name_duplicate": ("名称“{value}”已在第 {first} 行使用", "The name '{value}' is already used in row {first}"),
    "label_missing": ("缺少标签", "The label is missing"),
    "read_only_invalid": ("read_only 只能是 true 或 false", "read_only must be true or false"),
    # group_unbalanced, three ways:
    "group_unclosed": ("“{value}”没有对应的 end_{kind}", "'{value}' has no matching end_{kind}"),
    "group_end_unexpected": ("end_{kind} 之前没有对应的 begin_{kind}", "end_{kind} without a matching begin_{kind}"),
    "group_end_mismatch": ("end_{kind} 与第 {first} 行的 begin_{open}“{value}”不匹配",
                           "end_{kind} does not match begin_{open} '{value}' in row {first}"),
    "repeat_nested": ("重复组里不能再嵌套重复组", "A repeat cannot be nested inside another repeat"),
    "choice_list_missing": ("选项列表“{value}”不存在", "The choice list '{value}' does not exist"),
    "choice_list_unnamed": ("select_one 和 select_multiple 后面要写选项列表名，例如 select_one yes_no",
                            "select_one and select_multiple need a list name, e.g. select_one yes_no"),
    "list_name_invalid": ("选项列表名“{value}”无效", "Invalid choice list name '{value}'"),
    "choice_name_invalid": ("选项值“{value}”无效：不能为空，也不能有空格",
                            "Invalid choice name '{value}': it must not be empty or hold spaces"),
    "choice_duplicate": ("选项列表“{list}”中的“{value}”重复", "The choice '{value}' appears twice in list '{list}'"),
    "calculation_missing": ("calculate 类型必须填写 calculation", "A calculate row needs a calculation"),
    "trigger_without_calculation": ("trigger 需要同时填写 calculation", "A trigger needs a calculation to pre-fill from"),
    "trigger_not_ref": ("trigger 只能是一个字段引用，如 ${{id_number}}", "A trigger must be one field reference such as ${{id_number}}"),
    "default_invalid": ("默认值“{value}”不符合题目类型", "The default '{value}' does not fit the question type"),
    "current_not_allowed": ("“.”只能用在 constraint 和 choice_filter 中",
                            "'.' may only be used in constraint and choice_filter"),
    "ref_unknown": ("引用的字段 ${{{value}}} 不存在", "The referenced field ${{{value}}} does not exist"),
    "ref_not_value": ("${{{value}}} 是分组、重复组或说明，没有值", "${{{value}}} is a group, repeat or note and has no value"),
    "ref_into_repeat": ("不能在重复组“{repeat}”之外引用其中的字段 ${{{value}}}（只可以用 count(${{{repeat}}})）",
                        "${{{value}}} lies inside the repeat '{repeat}' and cannot be used outside it "
                        "(only count(${{{repeat}}}) can)"),
    "count_not_repeat": ("count() 只能用于重复组，${{{value}}} 不是重复组", "count() needs a repeat; ${{{value}}} is not one"),
    "calculation_order": ("计算只能使用排在它前面的计算字段，${{{value}}} 不在前面",
                          "A calculation may only use calculated fields above it; ${{{value}}} is not above it"),
}
# Problems are listed settings first, then the survey, then the choices, each in row order.
SHEET_ORDER = {None: 0, "settings": 1, "survey": 2, "choices": 3}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition. `sheet` says which list (or .xlsx sheet) `row` is in."""

    row: int | None
    column: str | None
    code: str
    message_zh: str
    message_en: str
    sheet: str | None = "survey"

    def __str__(self) -> str:
        where = " ".join(part for part in (
            self.sheet,
            f"row {self.row}" if self.row is not None else "",
            f"column {self.column}" if self.column else "",
        ) if part)
        return f"{where}: {self.message_en}" if where else self.message_en


class DefinitionError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(map(str, self.problems)))


def problem(code: str, row: int | None = None, column: str | None = None, sheet: str | None = "survey",
            message: str | None = None, **params) -> Problem:
    """A Problem worded by PROBLEMS[message or code], filled in with params."""
    zh, en = PROBLEMS[message or code]
    return Problem(row, column, code, zh.format(**params), en.format(**params), sheet)
