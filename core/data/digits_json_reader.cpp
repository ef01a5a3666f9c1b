#include "core/data/digits_json_reader.h"

#include "core/common/error.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace tau::core {

namespace {
constexpr int64_t kSide = 28;
}

RawImages decodeDigitsJson(const std::string& text, int64_t label, const std::string& source)
{
    const nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        throw DataError(source + ": not valid JSON (truncated?)");
    }
    if (!document.is_object() || !document.contains("data") || !document["data"].is_array()) {
        throw DataError(source + ": expected an object with a \"data\" list of pixel values");
    }
    const nlohmann::json& data = document["data"];
    const int64_t imageSize = kSide * kSide;
    if (data.empty() || int64_t(data.size()) % imageSize != 0) {
        throw DataError(source + ": expected a multiple of 784 pixel values (28x28 images), got " +
                        std::to_string(data.size()));
    }
    RawImages images;
    images.count = int64_t(data.size()) / imageSize;
    images.channels = 1;
    images.height = images.width = kSide;
    images.pixels.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        if (!data[i].is_number()) {
            throw DataError(source + ": value " + std::to_string(i) + " is not a number");
        }
        const double value = data[i].get<double>();
        if (!(value >= 0.0 && value <= 1.0)) {
            throw DataError(source + ": value " + std::to_string(i) + " is " + std::to_string(value) +
                            ", outside [0, 1]");
        }
        images.pixels.push_back(uint8_t(std::lround(value * 255.0)));
    }
    images.labels.assign(size_t(images.count), label);
    return images;
}

} // namespace tau::core
