#include "phone/splitting.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "phone/cleaning.h"

namespace podium_dedup::phone_internal {
namespace {

bool HasDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), IsAsciiDigit);
}

bool HasLetter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), IsLetterByte);
}

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" -.");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" -.");
  return std::string(text.substr(first, last - first + 1));
}

bool IsExtensionWord(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kMarkers = {
      "x", "ex", "ext", "extn", "extension", "opt", "option"};
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kMarkers.begin(), kMarkers.end(), lower) != kMarkers.end();
}

size_t ClosingBracket(std::string_view text, size_t open) {
  char close = '}';
  if (text[open] == '(') close = ')';
  if (text[open] == '[') close = ']';
  const size_t found = text.find(close, open + 1);
  return found == std::string_view::npos ? text.size() : found;
}

// A left-to-right scanner that accumulates the current candidate.
class FieldSplitter {
 public:
  explicit FieldSplitter(std::string_view text) : text_(text) {}

  std::vector<Candidate> Run() {
    while (pos_ < text_.size()) Step();
    Flush();
    return std::move(candidates_);
  }

 private:
  bool CurrentHasDigits() const {
    return HasDigit(part_) || std::any_of(parts_.begin(), parts_.end(),
                                          [](const std::string& p) { return HasDigit(p); });
  }

  void Step() {
    const char c = text_[pos_];
    if (IsLetterByte(c)) return ReadWord();
    switch (c) {
      case '\n': case '|': case '&': case ':': ++pos_; return Flush();
      case ';': return Semicolon();
      case '+': if (CurrentHasDigits()) Flush(); break;
      case '(': case '[': case '{': return OpenBracket();
      case '#': return Hash();
      case ',': return Comma();
      case '/': case '\\': ++pos_; return WeakSeparator();
      default: break;
    }
    ++pos_;
    part_.push_back(IsAsciiDigit(c) || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' ||
                            c == ']' || c == '}'
                        ? c
                        : ' ');
  }

  void ReadWord() {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsLetterByte(text_[pos_])) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (pos_ < text_.size() && text_[pos_] == '.') ++pos_;
    if (IsExtensionWord(word) && CurrentHasDigits()) return ReadExtension();
    if (IsDialerPause(start, word)) return ReadExtension();
    Flush();
  }

  // A dialer's pause ('p') or wait ('w') counts only between digits, as in
  // "0491570156p12": with spaces around it, "w" is more likely the label
  // "work" before another number.
  bool IsDialerPause(size_t start, std::string_view word) const {
    if (word != "p" && word != "w" && word != "P" && word != "W") return false;
    if (start == 0 || !IsAsciiDigit(text_[start - 1])) return false;
    return pos_ < text_.size() && IsAsciiDigit(text_[pos_]);
  }

  void Semicolon() {
    std::string next(text_.substr(pos_ + 1, 4));
    std::transform(next.begin(), next.end(), next.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (next == "ext=" && CurrentHasDigits()) {
      pos_ += 5;
      return ReadExtension();
    }
    ++pos_;
    Flush();
  }

  // A bracketed group with letters, "(Bob)" or "[work]", is a label; one
  // with only digits, "(02)", is part of the number.
  void OpenBracket() {
    const size_t close = ClosingBracket(text_, pos_);
    if (HasLetter(text_.substr(pos_, close - pos_))) {
      pos_ = std::min(close + 1, text_.size());
      return Flush();
    }
    part_.push_back('(');
    ++pos_;
  }

  void Hash() {
    ++pos_;
    if (CurrentHasDigits()) ReadExtension();
  }

  // ",," is a dialing pause before an extension; a single ',' separates.
  void Comma() {
    size_t end = pos_;
    while (end < text_.size() && text_[end] == ',') ++end;
    const bool pause = end - pos_ >= 2;
    pos_ = end;
    if (pause && CurrentHasDigits()) return ReadExtension();
    WeakSeparator();
  }

  void WeakSeparator() {
    if (!HasDigit(part_)) return;
    parts_.push_back(std::move(part_));
    part_.clear();
  }

  // Reads the digits after an extension marker, then ends the candidate.
  void ReadExtension() {
    while (pos_ < text_.size() && std::string_view(" .:=-#").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && IsAsciiDigit(text_[pos_])) ++pos_;
    extension_ = std::string(text_.substr(start, pos_ - start));
    Flush();
  }

  void Flush() {
    if (HasDigit(part_)) parts_.push_back(std::move(part_));
    part_.clear();
    Candidate candidate;
    for (std::string& part : parts_) {
      std::string trimmed = Trim(part);
      if (HasDigit(trimmed)) candidate.parts.push_back(std::move(trimmed));
    }
    candidate.extension = std::move(extension_);
    parts_.clear();
    extension_.clear();
    if (!candidate.parts.empty()) candidates_.push_back(std::move(candidate));
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string part_;
  std::vector<std::string> parts_;
  std::string extension_;
  std::vector<Candidate> candidates_;
};

}  // namespace

std::string Candidate::Joined() const {
  std::string joined;
  for (const std::string& part : parts) {
    if (!joined.empty()) joined += " / ";
    joined += part;
  }
  return joined;
}

std::vector<Candidate> SplitPhoneField(std::string_view cleaned) {
  return FieldSplitter(cleaned).Run();
}

}  // namespace podium_dedup::phone_internal
