// What the parser, the value conversions and the regex translator share: the error type
// with its stable codes and messages, and what counts as a digit.

export const MESSAGES = {
  expr_syntax: { zh: '表达式语法错误', en: 'Expression syntax error' },
  expr_unknown_function: { zh: '表达式使用了未知的函数', en: 'Unknown function in expression' },
  expr_arity: { zh: '函数的参数个数不对', en: 'Wrong number of arguments to a function' },
  expr_argument: {
    zh: 'count() 的参数必须是重复组引用，例如 ${members}',
    en: 'The argument of count() must be a repeat reference such as ${members}',
  },
  expr_regex: {
    zh: '正则表达式无效或使用了不支持的写法',
    en: 'Invalid or unsupported regular expression',
  },
  expr_value: { zh: '字段值的类型不受支持', en: 'Unsupported field value type' },
};

/** A bad expression (or field value). `code` is stable; `position` counts code points. */
export class ExpressionError extends Error {
  constructor(code, detail, position = null) {
    super(position === null ? detail : `${detail} (at character ${position})`);
    this.name = 'ExpressionError';
    this.code = code;
    this.detail = detail;
    this.position = position;
  }
}

export const isDigit = (char) => char !== undefined && char >= '0' && char <= '9';
