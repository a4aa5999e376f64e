#include "contacts/generator_data.h"


namespace podium_dedup::contacts {
namespace {

std::string Digits(uint64_t value, int width) {
  std::string text(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10) {
    text[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  }
  return text;
}

// Australian mobiles 040x to 043x: every number in these blocks is valid.
// Blocks 044x to 049x are only partly allocated, so they are left out.
std::string AustralianMobile(uint64_t k) {
  return "4" + Digits(k / 10'000'000, 1) + Digits(k % 10'000'000, 7);
}

// Australian landlines in blocks that are valid throughout: Sydney (2 9,
// 2 6), Melbourne (3 8, 3 9, 3 5), Brisbane and south-east Queensland (7 3,
// 7 5), Perth and Adelaide (8 9, 8 8).
constexpr std::string_view kAustralianLandlineBlocks[] = {"29", "26", "38", "39", "35", "73", "75", "89", "88"};

std::string AustralianLandline(uint64_t k) {
  return std::string(kAustralianLandlineBlocks[k / 10'000'000]) + Digits(k % 10'000'000, 7);
}

constexpr std::string_view kUsAreaCodes[] = {"212", "213", "310", "312", "404", "415", "512",
                                            "617", "702", "718", "805", "818", "206", "303",
                                            "305", "503", "602", "713", "808", "917"};
// Exchanges 200 to 999 without N11 codes and 555, whose 01xx lines are
// reserved for fiction: 800 - 8 - 1 = 791 per area code.
constexpr uint64_t kUsExchanges = 791;

int UsExchange(uint64_t k) {
  static const std::vector<int> exchanges = [] {
    std::vector<int> list;
    for (int exchange = 200; exchange <= 999; ++exchange) {
      if (exchange % 100 != 11 && exchange != 555) list.push_back(exchange);
    }
    return list;
  }();
  return exchanges[k];
}

std::string UsNumber(uint64_t k) {
  const uint64_t line = k % 10'000;
  const uint64_t exchange = (k / 10'000) % kUsExchanges;
  const uint64_t area = k / 10'000 / kUsExchanges;
  return std::string(kUsAreaCodes[area]) + Digits(static_cast<uint64_t>(UsExchange(exchange)), 3) +
         Digits(line, 4);
}

const RegionData kAustralia = {
    "AU",
    "61",
    40'000'000,
    std::size(kAustralianLandlineBlocks) * 10'000'000,
    AustralianMobile,
    AustralianLandline,
    {"0### ### ###", "0#########", "+61 ### ### ###", "+61#########", "61#########", "0###-###-###",
     "0###.###.###", "(0#) #### ####", "0# #### ####", "0###\u00A0###\u00A0###", "+61 (0) ### ### ###",
     "0## ### ####", " 0### ### ### "},
    {"(0#) #### ####", "0# #### ####", "0#########", "+61 # #### ####", "+61#########", "61 # #### ####",
     "0#-####-####", "0#.####.####", "(0#)########", "0#\u00A0####\u00A0####", "+61 (0)# #### ####"},
    {{"Sydney", "NSW", "2000"}, {"Parramatta", "NSW", "2150"}, {"Newcastle", "NSW", "2300"},
     {"Wollongong", "NSW", "2500"}, {"Melbourne", "VIC", "3000"}, {"Geelong", "VIC", "3220"},
     {"Ballarat", "VIC", "3350"}, {"Brisbane", "QLD", "4000"}, {"Southport", "QLD", "4215"},
     {"Cairns", "QLD", "4870"}, {"Perth", "WA", "6000"}, {"Fremantle", "WA", "6160"},
     {"Adelaide", "SA", "5000"}, {"Hobart", "TAS", "7000"}, {"Darwin", "NT", "0800"},
     {"Canberra", "ACT", "2600"}},
    {"St", "Street", "Rd", "Road", "Ave", "Pde", "Cres", "Dr", "Ln"},
};

const RegionData kUnitedStates = {
    "US",
    "1",
    std::size(kUsAreaCodes) * kUsExchanges * 10'000,
    std::size(kUsAreaCodes) * kUsExchanges * 10'000,
    UsNumber,
    UsNumber,
    {"(###) ###-####", "###-###-####", "###/###-####", "###.###.####", "+1 ### ### ####", "1-###-###-####",
     "##########", "+1##########", "### ### ####", "(###)\u00A0###-####", "+1 (###) ###-####"},
    {"(###) ###-####", "###-###-####", "###/###-####", "###.###.####", "+1 ### ### ####", "1-###-###-####",
     "##########", "+1##########", "### ### ####", "(###)\u00A0###-####", "+1 (###) ###-####"},
    {{"Los Angeles", "CA", "90012"}, {"San Francisco", "CA", "94103"}, {"New York", "NY", "10001"},
     {"Chicago", "IL", "60601"}, {"Houston", "TX", "77002"}, {"Seattle", "WA", "98101"},
     {"Boston", "MA", "02108"}, {"Atlanta", "GA", "30303"}, {"Denver", "CO", "80202"},
     {"Miami", "FL", "33130"}, {"Phoenix", "AZ", "85004"}, {"Las Vegas", "NV", "89101"},
     {"Portland", "OR", "97204"}, {"Austin", "TX", "78701"}},
    {"St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way"},
};

}  // namespace

const RegionData* FindRegion(std::string_view code) {
  if (code == "AU") return &kAustralia;
  if (code == "US") return &kUnitedStates;
  return nullptr;
}

std::string FormatPhone(std::string_view digits, std::string_view pattern) {
  std::string text;
  text.reserve(pattern.size());
  size_t next = 0;
  for (char c : pattern) {
    if (c == '#' && next < digits.size()) {
      text.push_back(digits[next++]);
    } else {
      text.push_back(c);
    }
  }
  return text;
}

const std::vector<PersonName>& GivenNames() {
  static const std::vector<PersonName> names = {
      {"Olivia", "olivia"},     {"Liam", "liam"},         {"Charlotte", "charlotte"}, {"Noah", "noah"},
      {"Amelia", "amelia"},     {"Jack", "jack"},         {"Isla", "isla"},          {"William", "william"},
      {"Mia", "mia"},           {"Oliver", "oliver"},     {"Ava", "ava"},            {"James", "james"},
      {"Grace", "grace"},       {"Lucas", "lucas"},       {"Chloe", "chloe"},        {"Thomas", "thomas"},
      {"Zoe", "zoe"},           {"Ethan", "ethan"},       {"Ruby", "ruby"},          {"Henry", "henry"},
      {"Sophie", "sophie"},     {"Leo", "leo"},           {"Emily", "emily"},        {"Lachlan", "lachlan"},
      {"Harper", "harper"},     {"Mason", "mason"},       {"Ella", "ella"},          {"Aarav", "aarav"},
      {"Priya", "priya"},       {"Wei", "wei"},           {"Mei", "mei"},            {"Minh", "minh"},
      {"Linh", "linh"},         {"Mohammed", "mohammed"}, {"Fatima", "fatima"},      {"Ali", "ali"},
      {"Aisha", "aisha"},       {"Giorgos", "giorgos"},   {"Sofia", "sofia"},        {"Luca", "luca"},
      {"Giulia", "giulia"},     {"Hiroshi", "hiroshi"},   {"Yuki", "yuki"},          {"Sione", "sione"},
      {"Mele", "mele"},         {"Jarrah", "jarrah"},     {"Kirra", "kirra"},        {"Seamus", "seamus"},
      {"Siobhan", "siobhan"},   {"José", "jose"},         {"Zoë", "zoe"},            {"François", "francois"},
      {"Renée", "renee"},       {"Björn", "bjorn"},       {"Chloé", "chloe"},        {"Dmitri", "dmitri"},
      {"Anastasia", "anastasia"}, {"Daniel", "daniel"},   {"Sarah", "sarah"},        {"Michael", "michael"},
      {"Jessica", "jessica"},   {"David", "david"},       {"Emma", "emma"},          {"Matthew", "matthew"},
  };
  return names;
}

const std::vector<PersonName>& FamilyNames() {
  static const std::vector<PersonName> names = {
      {"Smith", "smith"},         {"Jones", "jones"},       {"Williams", "williams"},   {"Brown", "brown"},
      {"Wilson", "wilson"},       {"Taylor", "taylor"},     {"Johnson", "johnson"},     {"White", "white"},
      {"Martin", "martin"},       {"Anderson", "anderson"}, {"Thompson", "thompson"},   {"Nguyen", "nguyen"},
      {"Tran", "tran"},           {"Le", "le"},             {"Pham", "pham"},           {"Chen", "chen"},
      {"Wang", "wang"},           {"Li", "li"},             {"Zhang", "zhang"},         {"Liu", "liu"},
      {"Singh", "singh"},         {"Patel", "patel"},       {"Kumar", "kumar"},         {"Kaur", "kaur"},
      {"Khan", "khan"},           {"Ahmed", "ahmed"},       {"Hassan", "hassan"},       {"Papadopoulos", "papadopoulos"},
      {"Rossi", "rossi"},         {"Russo", "russo"},       {"Ferrari", "ferrari"},     {"O'Brien", "obrien"},
      {"O'Connor", "oconnor"},    {"Murphy", "murphy"},     {"Kelly", "kelly"},         {"Ryan", "ryan"},
      {"Walsh", "walsh"},         {"MacDonald", "macdonald"}, {"McKenzie", "mckenzie"}, {"Campbell", "campbell"},
      {"Stewart", "stewart"},     {"Robinson", "robinson"}, {"Walker", "walker"},       {"Young", "young"},
      {"King", "king"},           {"Wright", "wright"},     {"Scott", "scott"},         {"Green", "green"},
      {"Baker", "baker"},         {"Hall", "hall"},         {"Lee", "lee"},             {"Kim", "kim"},
      {"Park", "park"},           {"Tanaka", "tanaka"},     {"Sato", "sato"},           {"Müller", "muller"},
      {"Schmidt", "schmidt"},     {"García", "garcia"},     {"Martínez", "martinez"},   {"López", "lopez"},
      {"Silva", "silva"},         {"Santos", "santos"},     {"Costa", "costa"},         {"Kowalski", "kowalski"},
      {"Nowak", "nowak"},         {"Ivanov", "ivanov"},     {"Tupou", "tupou"},         {"Fifita", "fifita"},
  };
  return names;
}

const std::vector<std::string_view>& StreetNames() {
  static const std::vector<std::string_view> names = {
      "George", "King",   "Queen",  "High",  "Church", "Station", "Victoria", "Elizabeth", "William", "Park",
      "Main",   "Oak",    "Maple",  "Cedar", "Pine",   "Hill",    "Lake",     "Bridge",    "Market",  "Wattle",
  };
  return names;
}

// Domains reserved for documentation (RFC 2606 and RFC 6761), so that no
// generated address can reach a real mailbox.
const std::vector<std::string_view>& EmailDomains() {
  static const std::vector<std::string_view> domains = {"example.com", "example.net", "example.org",
                                                        "mail.example", "inbox.example"};
  return domains;
}

const std::vector<TagData>& TagPool() {
  static const std::vector<TagData> tags = {
      {"tag-1", "VIP"},       {"tag-2", "Lead"},     {"tag-3", "Referral"},  {"tag-4", "Repeat customer"},
      {"tag-5", "Warranty"},  {"tag-6", "Newsletter"}, {"tag-7", "Wholesale"}, {"tag-8", "Follow up"},
  };
  return tags;
}

}  // namespace podium_dedup::contacts
