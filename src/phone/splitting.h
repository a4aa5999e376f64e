// Splitting of a cleaned phone field into candidate numbers.
#ifndef PODIUM_DEDUP_PHONE_SPLITTING_H_
#define PODIUM_DEDUP_PHONE_SPLITTING_H_

#include <string>
#include <string_view>
#include <vector>

namespace podium_dedup::phone_internal {

// One number as written in the field, or two or more written together.
struct Candidate {
  // The text of the number without letters or extension: digits, '+' and
  // formatting punctuation. A '/' or a single ',' inside it is a weak
  // separator: "310/246-1501" is one US number, "0491 570 156 / 02 5550
  // 1234" two. Each part is the text between weak separators, so `parts`
  // has one element when there is none. The caller decides which reading
  // holds by parsing.
  std::vector<std::string> parts;
  // Digits after an extension marker (x, ext., #, ",,", ";ext=", opt,
  // option, or a dialer pause 'p' or 'w' written between digits), or empty.
  // A marker with no digits after it sets nothing.
  std::string extension;

  // Returns the parts joined back into the text as written.
  std::string Joined() const;
};

// Splits a cleaned field into candidates. Newlines, ';', '|', '&', ':',
// a '+' after digits, and every word that is not an extension marker ("or",
// "mobile", "Bob") or bracketed group that holds letters ("(Bob)") end a
// candidate. Letters never become part of a number, so libphonenumber
// cannot read them as keypad digits. Candidates without digits are dropped.
std::vector<Candidate> SplitPhoneField(std::string_view cleaned);

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_SPLITTING_H_
