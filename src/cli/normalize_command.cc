// `podium-dedup normalize`: phone values to E.164 natural keys, as JSON.
//
// One value comes from --phone, or many from --input (one per line). Each
// value becomes one JSON object: the first valid number's fields at the top
// level, every valid number under "numbers", and the reason code of the
// first rejected piece when the value contains no valid number.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "podium_dedup/phone.h"

namespace podium_dedup::cli {
namespace {

struct NormalizeFlags {
  std::optional<std::string> phone;
  std::string input;
  std::string region;
  std::string output;
};

nlohmann::ordered_json NumberToJson(const NormalizedPhone& number) {
  return {{"e164", number.e164},
          {"national", number.national},
          {"country", number.country},
          {"natural_key", number.natural_key()},
          {"extension", number.extension},
          {"region_fallback", number.region_fallback}};
}

nlohmann::ordered_json ResultToJson(const PhoneFieldResult& result) {
  nlohmann::ordered_json object = {{"valid", result.valid()}};
  nlohmann::ordered_json numbers = nlohmann::ordered_json::array();
  for (const NormalizedPhone& number : result.numbers) numbers.push_back(NumberToJson(number));
  if (result.valid()) {
    const NormalizedPhone& first = result.numbers.front();
    object.update(NumberToJson(first));
  } else {
    for (const char* key : {"e164", "national", "country", "natural_key", "extension"}) {
      object[key] = nullptr;
    }
    object["region_fallback"] = false;
    object["reason"] = std::string(result.reason());
  }
  object["numbers"] = std::move(numbers);
  nlohmann::ordered_json rejected = nlohmann::ordered_json::array();
  for (const RejectedPiece& piece : result.rejected) {
    rejected.push_back({{"piece", piece.piece}, {"reason", piece.reason}});
  }
  object["rejected"] = std::move(rejected);
  return object;
}

std::string ResultToText(const std::string& input, const PhoneFieldResult& result) {
  std::string line = input + " -> ";
  if (!result.valid()) return line + "rejected: " + std::string(result.reason());
  for (size_t i = 0; i < result.numbers.size(); ++i) {
    const NormalizedPhone& number = result.numbers[i];
    if (i > 0) line += ", ";
    line += number.e164 + " (" + number.country + ", " + number.national;
    if (!number.extension.empty()) line += ", ext " + number.extension;
    if (number.region_fallback) line += ", fallback region";
    line += ")";
  }
  return line;
}

// Prints one result in the chosen format; `input` is echoed for jsonl.
void PrintResult(const std::string& format, const std::string& input,
                 const PhoneFieldResult& result) {
  if (format == "text") {
    std::cout << ResultToText(input, result) << '\n';
    return;
  }
  nlohmann::ordered_json object = ResultToJson(result);
  if (format == "jsonl") {
    object["input"] = input;
    std::cout << object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    std::cout << object.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  }
}

std::string ToUpperAscii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

Result<std::string> CheckedRegion(const std::string& region, const std::string& source) {
  const std::string upper = ToUpperAscii(region);
  if (PhoneNormalizer::IsKnownRegion(upper)) return upper;
  return Error{"ERR_DEDUP_USAGE_UNKNOWN_REGION",
               "unknown region '" + region + "' in " + source +
                   "; use an ISO 3166-1 alpha-2 code such as AU, US or GB"};
}

Result<PhoneOptions> OptionsFromSettings(const Settings& settings) {
  PhoneOptions options;
  for (const std::string& fallback : settings.fallback_regions) {
    Result<std::string> region = CheckedRegion(fallback, "fallback_regions in the settings");
    if (!region.ok()) return region.error();
    options.fallback_regions.push_back(region.value());
  }
  options.blocklist = settings.placeholder_blocklist;
  return options;
}

Status CheckOutputFormat(const NormalizeFlags& flags) {
  if (flags.output == "json" || flags.output == "jsonl" || flags.output == "text") return Status::Ok();
  return Error{"ERR_DEDUP_USAGE_INVALID_OUTPUT",
               "unknown output format '" + flags.output + "' in --output; use json, jsonl or text"};
}

// Strips a trailing '\r' (files written on Windows) and a UTF-8 BOM on the
// first line, which are not part of the value.
std::string StripLineEnding(std::string line, bool first_line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (first_line && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  return line;
}

Status NormalizeStream(std::istream& in, const std::string& name, const PhoneNormalizer& normalizer,
                       const std::string& region, const NormalizeFlags& flags) {
  std::string line;
  bool first_line = true;
  while (std::getline(in, line)) {
    const std::string value = StripLineEnding(std::move(line), first_line);
    first_line = false;
    PrintResult(flags.output, value, normalizer.Normalize(value, region));
  }
  if (in.bad()) {
    return Error{"ERR_DEDUP_INPUT_UNREADABLE",
                 "reading '" + name + "' failed; check that the file is readable"};
  }
  return Status::Ok();
}

Status NormalizeFile(const PhoneNormalizer& normalizer, const std::string& region,
                     const NormalizeFlags& flags) {
  if (flags.input == "-") return NormalizeStream(std::cin, "standard input", normalizer, region, flags);
  std::ifstream file(flags.input, std::ios::binary);
  if (!file) {
    return Error{"ERR_DEDUP_INPUT_NOT_FOUND",
                 "input file '" + flags.input + "' cannot be opened; check the path and permissions"};
  }
  return NormalizeStream(file, flags.input, normalizer, region, flags);
}

Status RunNormalize(NormalizeFlags flags, CommandContext& context) {
  if (!flags.phone && flags.input.empty()) {
    return Error{"ERR_DEDUP_USAGE_MISSING_INPUT",
                 "normalize needs a value: pass --phone VALUE or --input FILE (or --input - for stdin)"};
  }
  if (flags.output.empty()) flags.output = flags.phone ? "json" : "jsonl";
  if (Status status = CheckOutputFormat(flags); !status.ok()) return status;

  const bool region_from_flag = !flags.region.empty();
  Result<std::string> region =
      CheckedRegion(region_from_flag ? flags.region : context.settings.default_region,
                    region_from_flag ? "--region" : "default_region in the settings");
  if (!region.ok()) return region.error();
  Result<PhoneOptions> options = OptionsFromSettings(context.settings);
  if (!options.ok()) return options.error();

  const PhoneNormalizer normalizer(std::move(options).value());
  if (flags.phone) {
    PrintResult(flags.output, *flags.phone, normalizer.Normalize(*flags.phone, region.value()));
    return Status::Ok();
  }
  return NormalizeFile(normalizer, region.value(), flags);
}

}  // namespace

CommandHandler SetUpNormalizeCommand(CLI::App& command) {
  auto flags = std::make_shared<NormalizeFlags>();
  command.footer(
      "Each value may hold several numbers and any labels, extensions or spreadsheet damage.\n"
      "A value without a valid number is not an error: its reason code is printed instead\n"
      "(see the phone rejection reasons in docs/errors.md). The settings file supplies\n"
      "fallback_regions (tried when --region yields no valid number) and\n"
      "placeholder_blocklist (numbers rejected as placeholders).\n");
  CLI::Option* phone = command.add_option(
      "--phone", flags->phone, "One raw phone value to normalize, as typed (quote it)");
  CLI::Option* input = command.add_option(
      "--input", flags->input,
      "File with one raw phone value per line to normalize; '-' reads standard input");
  phone->excludes(input);
  command.add_option("--region", flags->region,
                     "Region (ISO 3166-1 alpha-2, such as AU) assumed for numbers without a "
                     "leading '+'; overrides default_region from the settings");
  command.add_option("--output", flags->output,
                     "Output format: json (one indented object, the default with --phone), jsonl "
                     "(one object per line with the input echoed, the default with --input) or "
                     "text (one readable line per value)");
  return [flags](CommandContext& context) { return RunNormalize(*flags, context); };
}

}  // namespace podium_dedup::cli
