#include "selectors/label_parser.h"

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "selectors/label_validation.h"
#include "selectors/requirement.h"

namespace cubelet::selectors {
namespace {

enum class Token {
  kError,
  kEndOfString,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

// Literal tokens; everything else that is not whitespace or a special symbol is an identifier.
bool LiteralToken(std::string_view s, Token* tok) {
  static const std::pair<std::string_view, Token> kTokens[] = {
      {")", Token::kClosedPar},     {",", Token::kComma},  {"!", Token::kDoesNotExist},
      {"==", Token::kDoubleEquals}, {"=", Token::kEquals}, {">", Token::kGreaterThan},
      {"in", Token::kIn},           {"<", Token::kLessThan}, {"!=", Token::kNotEquals},
      {"notin", Token::kNotIn},     {"(", Token::kOpenPar},
  };
  for (const auto& [text, t] : kTokens) {
    if (s == text) {
      *tok = t;
      return true;
    }
  }
  return false;
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

struct ScannedItem {
  Token tok;
  std::string literal;
};

// Byte-at-a-time lexer; like upstream's, a NUL byte reads as the end of the text.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  ScannedItem Lex() {
    char ch = SkipWhitespace(Read());
    if (ch == 0) return {Token::kEndOfString, ""};
    Unread();
    return IsSpecialSymbol(ch) ? ScanSpecialSymbol() : ScanIdOrKeyword();
  }

 private:
  char Read() {
    if (pos_ < s_.size()) return s_[pos_++];
    return 0;
  }
  void Unread() { --pos_; }

  char SkipWhitespace(char ch) {
    while (IsWhitespace(ch)) ch = Read();
    return ch;
  }

  ScannedItem ScanIdOrKeyword() {
    std::string buffer;
    while (true) {
      char ch = Read();
      if (ch == 0) break;
      if (IsSpecialSymbol(ch) || IsWhitespace(ch)) {
        Unread();
        break;
      }
      buffer += ch;
    }
    Token tok;
    if (LiteralToken(buffer, &tok)) return {tok, buffer};
    return {Token::kIdentifier, buffer};
  }

  // The longest run of special symbols that forms a token ("!=" rather than "!").
  ScannedItem ScanSpecialSymbol() {
    std::optional<ScannedItem> last;
    std::string buffer;
    while (true) {
      char ch = Read();
      if (ch == 0) break;
      if (!IsSpecialSymbol(ch)) {
        Unread();
        break;
      }
      buffer += ch;
      Token tok;
      if (LiteralToken(buffer, &tok)) {
        last = ScannedItem{tok, buffer};
      } else if (last.has_value()) {
        Unread();
        break;
      }
    }
    if (!last.has_value()) return {Token::kError, StrCat("error expected: keyword found '", buffer, "'")};
    return *last;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Whether 'in' and 'notin' are keywords (after a key) or plain identifiers (values: "x in (in)").
enum class Context { kKeyAndOperator, kValues };

class Parser {
 public:
  explicit Parser(std::string_view text) {
    Lexer lexer(text);
    while (true) {
      items_.push_back(lexer.Lex());
      if (items_.back().tok == Token::kEndOfString) break;
    }
  }

  absl::StatusOr<std::vector<Requirement>> Parse() {
    std::vector<Requirement> requirements;
    while (true) {
      auto [tok, lit] = Lookahead(Context::kValues);
      switch (tok) {
        case Token::kIdentifier:
        case Token::kDoesNotExist: {
          absl::StatusOr<Requirement> r = ParseRequirement();
          if (!r.ok()) return absl::InvalidArgumentError(StrCat("unable to parse requirement: ", r.status().message()));
          requirements.push_back(*std::move(r));
          auto [t, l] = Consume(Context::kValues);
          if (t == Token::kEndOfString) return requirements;
          if (t != Token::kComma) {
            return absl::InvalidArgumentError(StrCat("found '", l, "', expected: ',' or 'end of string'"));
          }
          auto [t2, l2] = Lookahead(Context::kValues);
          if (t2 != Token::kIdentifier && t2 != Token::kDoesNotExist) {
            return absl::InvalidArgumentError(StrCat("found '", l2, "', expected: identifier after ','"));
          }
          break;
        }
        case Token::kEndOfString:
          return requirements;
        default:
          return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: !, identifier, or 'end of string'"));
      }
    }
  }

 private:
  static Token InContext(Token tok, Context context) {
    if (context == Context::kValues && (tok == Token::kIn || tok == Token::kNotIn)) return Token::kIdentifier;
    return tok;
  }
  std::pair<Token, std::string> Lookahead(Context context) const {
    return {InContext(items_[position_].tok, context), items_[position_].literal};
  }
  std::pair<Token, std::string> Consume(Context context) {
    const ScannedItem& item = items_[position_];
    // The end-of-string item is never consumed past; parsing stops on it.
    if (position_ + 1 < items_.size()) ++position_;
    return {InContext(item.tok, context), item.literal};
  }

  absl::StatusOr<Requirement> ParseRequirement() {
    std::string key;
    std::optional<Operator> op;
    RETURN_IF_ERROR(ParseKeyAndInferOperator(&key, &op));
    if (op.has_value()) return NewRequirement(std::move(key), *op, {});
    ASSIGN_OR_RETURN(Operator binary, ParseOperator());
    std::set<std::string> values;
    if (binary == Operator::kIn || binary == Operator::kNotIn) {
      ASSIGN_OR_RETURN(values, ParseValues());
    } else {
      ASSIGN_OR_RETURN(values, ParseExactValue());
    }
    return NewRequirement(std::move(key), binary, std::vector<std::string>(values.begin(), values.end()));
  }

  // A key, and Exists/DoesNotExist when no binary operator follows it.
  absl::Status ParseKeyAndInferOperator(std::string* key, std::optional<Operator>* op) {
    auto [tok, literal] = Consume(Context::kValues);
    if (tok == Token::kDoesNotExist) {
      *op = Operator::kDoesNotExist;
      std::tie(tok, literal) = Consume(Context::kValues);
    }
    if (tok != Token::kIdentifier) return absl::InvalidArgumentError(StrCat("found '", literal, "', expected: identifier"));
    if (std::vector<std::string> errs = IsQualifiedName(literal); !errs.empty()) {
      // Upstream passes a nil field path here, which prints as "<nil>".
      return absl::InvalidArgumentError(FieldInvalid("<nil>", GoQuote(literal), absl::StrJoin(errs, "; ")));
    }
    Token next = Lookahead(Context::kValues).first;
    if ((next == Token::kEndOfString || next == Token::kComma) && !op->has_value()) *op = Operator::kExists;
    *key = std::move(literal);
    return absl::OkStatus();
  }

  absl::StatusOr<Operator> ParseOperator() {
    auto [tok, lit] = Consume(Context::kKeyAndOperator);
    switch (tok) {
      case Token::kIn: return Operator::kIn;
      case Token::kEquals: return Operator::kEquals;
      case Token::kDoubleEquals: return Operator::kEquals;  // one Operator for = and ==
      case Token::kGreaterThan: return Operator::kGreaterThan;
      case Token::kLessThan: return Operator::kLessThan;
      case Token::kNotIn: return Operator::kNotIn;
      case Token::kNotEquals: return Operator::kNotEquals;
      default:
        return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: in, notin, =, ==, !=, gt, lt"));
    }
  }

  // "(a,b,c)"; "()" is the set holding the empty value.
  absl::StatusOr<std::set<std::string>> ParseValues() {
    auto [tok, lit] = Consume(Context::kValues);
    if (tok != Token::kOpenPar) return absl::InvalidArgumentError(StrCat("found '", lit, "' expected: '('"));
    std::tie(tok, lit) = Lookahead(Context::kValues);
    switch (tok) {
      case Token::kIdentifier:
      case Token::kComma: {
        ASSIGN_OR_RETURN(std::set<std::string> s, ParseIdentifiersList());
        if (Consume(Context::kValues).first != Token::kClosedPar) {
          return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: ')'"));
        }
        return s;
      }
      case Token::kClosedPar:
        Consume(Context::kValues);
        return std::set<std::string>{""};
      default:
        return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: ',', ')' or identifier"));
    }
  }

  // Comma-separated, possibly empty identifiers ("a,,b" holds the empty value too).
  absl::StatusOr<std::set<std::string>> ParseIdentifiersList() {
    std::set<std::string> s;
    while (true) {
      auto [tok, lit] = Consume(Context::kValues);
      if (tok == Token::kIdentifier) {
        s.insert(lit);
        auto [tok2, lit2] = Lookahead(Context::kValues);
        if (tok2 == Token::kComma) continue;
        if (tok2 == Token::kClosedPar) return s;
        return absl::InvalidArgumentError(StrCat("found '", lit2, "', expected: ',' or ')'"));
      }
      if (tok == Token::kComma) {
        if (s.empty()) s.insert("");  // "(,"
        Token tok2 = Lookahead(Context::kValues).first;
        if (tok2 == Token::kClosedPar) {
          s.insert("");  // ",)"
          return s;
        }
        if (tok2 == Token::kComma) s.insert("");  // ",,"
        continue;
      }
      return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: ',', or identifier"));
    }
  }

  // The single value after =, ==, !=, > or <; nothing before ',' or the end is "".
  absl::StatusOr<std::set<std::string>> ParseExactValue() {
    Token next = Lookahead(Context::kValues).first;
    if (next == Token::kEndOfString || next == Token::kComma) return std::set<std::string>{""};
    auto [tok, lit] = Consume(Context::kValues);
    if (tok == Token::kIdentifier) return std::set<std::string>{lit};
    return absl::InvalidArgumentError(StrCat("found '", lit, "', expected: identifier"));
  }

  std::vector<ScannedItem> items_;
  size_t position_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<Requirement>> ParseLabelRequirements(std::string_view text) {
  return Parser(text).Parse();
}

}  // namespace cubelet::selectors
