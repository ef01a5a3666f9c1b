#include "core/io/csv.h"

namespace tau::core {

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (const char c : text) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + '"';
}

bool readCsvRecord(std::istream& stream, std::vector<std::string>& fields)
{
    fields.clear();
    if (stream.peek() == std::char_traits<char>::eof()) {
        return false;
    }
    std::string field;
    bool quoted = false;
    for (int next = stream.get(); next != std::char_traits<char>::eof(); next = stream.get()) {
        const char c = char(next);
        if (quoted) {
            if (c == '"' && stream.peek() == '"') {
                field += '"';
                stream.get();
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            field += c;
        }
    }
    fields.push_back(field);
    return true;
}

} // namespace tau::core
