#include "core/io/evaluation_files.h"
#include "core/io/path_names.h"

#include "core/io/csv.h"

#include "core/common/error.h"
#include "core/io/run_directory.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/** Every double with all its digits, so a value read back is the value written. */
std::string formatNumber(double value)
{
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    std::ostringstream stream;
    stream << std::setprecision(17) << value;
    return stream.str();
}

double parseNumber(const std::string& text, const std::string& file, size_t line)
{
    if (text == "inf") {
        return std::numeric_limits<double>::infinity();
    }
    if (text == "-inf") {
        return -std::numeric_limits<double>::infinity();
    }
    try {
        size_t used = 0;
        const double value = std::stod(text, &used);
        if (used == text.size()) {
            return value;
        }
    } catch (const std::exception&) {
    }
    throw DataError(file + ":" + std::to_string(line) + ": expected a number, got '" + text + "'");
}


std::string readText(const std::string& path, const std::string& expected)
{
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw DataError(path + ": not found (expected " + expected + ")");
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

json protocolJson(const EvaluationProtocol& protocol)
{
    json value = {{"images", protocol.images}, {"limit", protocol.limit}, {"seed", protocol.seed},
                  {"bootstrap", protocol.bootstrap}};
    if (protocol.hasReference) {
        value["reference"] = {{"set", protocol.reference}, {"images", protocol.referenceImages}, {"knn_k", protocol.knnK},
                              {"knn_aggregate", protocol.knnAggregate}};
    }
    return value;
}

EvaluationProtocol protocolOf(const json& value, const std::string& file)
{
    EvaluationProtocol protocol;
    try {
        protocol.images = value.at("images").get<std::map<std::string, int64_t>>();
        protocol.limit = value.at("limit").get<int64_t>();
        protocol.seed = value.at("seed").get<uint64_t>();
        protocol.bootstrap = value.at("bootstrap").get<int>();
        if (value.contains("reference")) {
            const json& reference = value.at("reference");
            protocol.hasReference = true;
            protocol.reference = reference.at("set").get<std::string>();
            protocol.referenceImages = reference.at("images").get<int64_t>();
            protocol.knnK = reference.at("knn_k").get<int>();
            protocol.knnAggregate = reference.at("knn_aggregate").get<std::string>();
        }
    } catch (const json::exception& error) {
        throw DataError(file + ": \"protocol\" is not as tau ood writes it (" + error.what() + ")");
    }
    protocol.recorded = true;
    return protocol;
}

json metricsJson(const ScoreMetricsRecord& record)
{
    const OodMetrics& m = record.metrics;
    json values = {{"auroc", m.auroc}, {"fpr95", m.fpr95}, {"fpr95_ood_positive", m.fpr95OodPositive},
                   {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
    if (record.intervals) {
        const auto interval = [](const Interval& i) { return json::array({i.low, i.high}); };
        const OodMetricIntervals& ci = *record.intervals;
        values["ci95"] = {{"auroc", interval(ci.auroc)}, {"fpr95", interval(ci.fpr95)},
                          {"fpr95_ood_positive", interval(ci.fpr95OodPositive)}, {"aupr_in", interval(ci.auprIn)},
                          {"aupr_out", interval(ci.auprOut)}, {"resamples", record.resamples}};
    }
    return values;
}

ScoreMetricsRecord metricsRecord(const json& values, const std::string& file)
{
    const auto number = [&](const json& object, const char* key) {
        if (!object.contains(key) || !object[key].is_number()) {
            throw DataError(file + ": expected a number at \"" + key + "\" in every result");
        }
        return object[key].get<double>();
    };
    ScoreMetricsRecord record;
    record.metrics = {number(values, "auroc"), number(values, "fpr95"), number(values, "fpr95_ood_positive"),
                      number(values, "aupr_in"), number(values, "aupr_out")};
    if (values.contains("ci95") && values["ci95"].is_object()) {
        const json& ci = values["ci95"];
        const auto interval = [&](const char* key) {
            if (!ci.contains(key) || !ci[key].is_array() || ci[key].size() != 2) {
                throw DataError(file + ": expected [low, high] at \"ci95\".\"" + key + "\"");
            }
            return Interval{ci[key][0].get<double>(), ci[key][1].get<double>()};
        };
        record.intervals = OodMetricIntervals{interval("auroc"), interval("fpr95"), interval("fpr95_ood_positive"),
                                              interval("aupr_in"), interval("aupr_out")};
        record.resamples = ci.value("resamples", 0);
    }
    return record;
}

std::string rocText(const RocCurve& curve)
{
    std::ostringstream roc;
    roc << "fpr,tpr,threshold\n";
    for (size_t i = 0; i < curve.fpr.size(); ++i) {
        roc << formatNumber(curve.fpr[i]) << ',' << formatNumber(curve.tpr[i]) << ','
            << (i < curve.thresholds.size() ? formatNumber(curve.thresholds[i]) : std::string()) << '\n';
    }
    return roc.str();
}

RocCurve readRoc(const std::string& path)
{
    std::istringstream text(readText(path, "a ROC file of fpr,tpr,threshold rows"));
    RocCurve curve;
    std::vector<std::string> fields;
    readCsvRecord(text, fields); // header
    for (size_t number = 2; readCsvRecord(text, fields); ++number) {
        if (fields.size() < 2) {
            continue;
        }
        curve.fpr.push_back(parseNumber(fields[0], path, number));
        curve.tpr.push_back(parseNumber(fields[1], path, number));
        if (fields.size() > 2 && !fields[2].empty()) {
            curve.thresholds.push_back(parseNumber(fields[2], path, number));
        }
    }
    if (curve.fpr.empty()) {
        throw DataError(path + ": empty ROC file");
    }
    return curve;
}

std::string scoresText(const EvaluationFolderData& data)
{
    std::ostringstream csv;
    csv << "dataset,index,label";
    for (const std::string& score : data.scores) {
        csv << ',' << csvField(score);
    }
    csv << '\n';
    for (const SetScores& set : data.sets) {
        for (size_t i = 0; i < set.labels.size(); ++i) {
            csv << csvField(set.name) << ',' << i << ',' << set.labels[i];
            for (const std::string& score : data.scores) {
                csv << ',' << formatNumber(set.values.at(score)[i]);
            }
            csv << '\n';
        }
    }
    return csv.str();
}

void readScores(const std::string& path, EvaluationFolderData& data)
{
    std::istringstream text(readText(path, "dataset,index,label,<scores...> rows"));
    std::vector<std::string> header, fields;
    readCsvRecord(text, header);
    if (header.size() < 4 || header[0] != "dataset") {
        throw DataError(path + ": expected a header dataset,index,label,<scores...>");
    }
    for (size_t number = 2; readCsvRecord(text, fields); ++number) {
        if (fields.size() == 1 && fields[0].empty()) {
            continue; // a blank line
        }
        if (fields.size() != header.size()) {
            throw DataError(path + ":" + std::to_string(number) + ": expected " + std::to_string(header.size()) +
                            " fields, got " + std::to_string(fields.size()));
        }
        if (data.sets.empty() || data.sets.back().name != fields[0]) {
            data.sets.push_back(SetScores{fields[0], {}, {}});
        }
        SetScores& set = data.sets.back();
        set.labels.push_back(int64_t(parseNumber(fields[2], path, number)));
        for (size_t column = 3; column < header.size(); ++column) {
            set.values[header[column]].push_back(parseNumber(fields[column], path, number));
        }
    }
}

} // namespace

std::string rocFileName(const std::string& oodSet, const std::string& score)
{
    // Set names come from configs and metrics.json files: encoded, so none can lead out of the folder.
    return "roc_" + fileNamePart(oodSet) + "_" + fileNamePart(score) + ".csv";
}

void writeEvaluationFolder(const EvaluationFolderData& data)
{
    fs::create_directories(data.folder);
    json metrics = {{"in_dataset", data.inDataset}, {"checkpoint", data.checkpoint}, {"scores", data.scores},
                    {"results", json::object()}, {"warnings", data.warnings}};
    if (data.protocol.recorded) {
        metrics["protocol"] = protocolJson(data.protocol);
    }
    for (const auto& [ood, byScore] : data.results) {
        for (const auto& [score, record] : byScore) {
            metrics["results"][ood][score] = metricsJson(record);
        }
    }
    writeFileAtomically(data.folder + "/metrics.json", metrics.dump(2) + "\n");
    writeFileAtomically(data.folder + "/scores.csv", scoresText(data));
    for (const auto& [ood, byScore] : data.roc) {
        for (const auto& [score, curve] : byScore) {
            writeFileAtomically(data.folder + "/" + rocFileName(ood, score), rocText(curve));
        }
    }
}

namespace {

/** A tau ood metrics.json's scores: its "scores" list, then any other score its results name, in order. */
std::vector<std::string> scoreNamesOf(const json& metrics)
{
    std::vector<std::string> names;
    const auto add = [&names](const std::string& score) {
        if (std::find(names.begin(), names.end(), score) == names.end()) {
            names.push_back(score);
        }
    };
    if (const auto scores = metrics.find("scores"); scores != metrics.end() && scores->is_array()) {
        for (const json& name : *scores) {
            if (name.is_string()) {
                add(name.get<std::string>());
            }
        }
    }
    if (const auto results = metrics.find("results"); results != metrics.end() && results->is_object()) {
        for (const auto& [set, byScore] : results->items()) {
            if (byScore.is_object()) {
                for (const auto& [score, values] : byScore.items()) {
                    add(score);
                }
            }
        }
    }
    return names;
}

} // namespace

EvaluationFolderData readEvaluationFolder(const std::string& folder, bool withScores)
{
    EvaluationFolderData data;
    data.folder = folder;
    const std::string path = folder + "/metrics.json";
    const std::string text = readText(path, "the folder tau ood wrote, RUN_DIR/eval/<name>");
    const json metrics = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!metrics.is_object() || !metrics.contains("results") || !metrics["results"].is_object()) {
        throw DataError(path + ": not a metrics.json of tau ood (no \"results\" object)");
    }
    data.inDataset = metrics.value("in_dataset", std::string());
    if (metrics.contains("protocol")) {
        data.protocol = protocolOf(metrics["protocol"], path);
    }
    data.checkpoint = metrics.value("checkpoint", std::string());
    data.scores = scoreNamesOf(metrics);
    if (metrics.contains("warnings") && metrics["warnings"].is_array()) {
        data.warnings = metrics["warnings"].get<std::vector<std::string>>();
    }
    for (const auto& [ood, byScore] : metrics["results"].items()) {
        data.oodSets.push_back(ood);
        for (const auto& [score, values] : byScore.items()) {
            data.results[ood][score] = metricsRecord(values, path);
            data.roc[ood][score] = readRoc(folder + "/" + rocFileName(ood, score));
        }
    }
    if (withScores) {
        readScores(folder + "/scores.csv", data);
    }
    return data;
}

void writeEmbeddingTable(const std::string& folder, const std::vector<EmbeddedPoint>& points)
{
    const bool tsne = !points.empty() && points.front().tsneX.has_value();
    std::ostringstream csv;
    csv << std::setprecision(10) << "index,label,c,pca_x,pca_y" << (tsne ? ",tsne_x,tsne_y" : "") << '\n';
    for (const EmbeddedPoint& point : points) {
        csv << point.index << ',' << point.label << ',';
        if (point.certainty) {
            csv << *point.certainty;
        }
        csv << ',' << point.pcaX << ',' << point.pcaY;
        if (tsne) {
            csv << ',' << point.tsneX.value_or(0.0) << ',' << point.tsneY.value_or(0.0);
        }
        csv << '\n';
    }
    fs::create_directories(folder);
    writeFileAtomically(folder + "/embedding.csv", csv.str());
}

std::vector<EmbeddedPoint> readEmbeddingTable(const std::string& folder)
{
    const std::string path = folder + "/embedding.csv";
    std::istringstream text(readText(path, "the folder tau embed wrote, RUN_DIR/eval/<name>"));
    std::vector<std::string> header, fields;
    readCsvRecord(text, header);
    const std::vector<std::string> pca = {"index", "label", "c", "pca_x", "pca_y"};
    const bool tsne = header.size() == 7 && header[5] == "tsne_x" && header[6] == "tsne_y";
    if (header.size() < pca.size() || !std::equal(pca.begin(), pca.end(), header.begin()) || (header.size() > 5 && !tsne)) {
        throw DataError(path + ": expected a header index,label,c,pca_x,pca_y[,tsne_x,tsne_y]");
    }
    std::vector<EmbeddedPoint> points;
    for (size_t number = 2; readCsvRecord(text, fields); ++number) {
        if (fields.size() != header.size()) {
            throw DataError(path + ":" + std::to_string(number) + ": expected " + std::to_string(header.size()) +
                            " fields, got " + std::to_string(fields.size()));
        }
        EmbeddedPoint point;
        point.index = int64_t(parseNumber(fields[0], path, number));
        point.label = int64_t(parseNumber(fields[1], path, number));
        if (!fields[2].empty()) {
            point.certainty = parseNumber(fields[2], path, number);
        }
        point.pcaX = parseNumber(fields[3], path, number);
        point.pcaY = parseNumber(fields[4], path, number);
        if (tsne) {
            point.tsneX = parseNumber(fields[5], path, number);
            point.tsneY = parseNumber(fields[6], path, number);
        }
        points.push_back(point);
    }
    return points;
}

void writeAccuracyMetrics(const std::string& folder, const AccuracyRecord& record)
{
    json metrics = {{"dataset", record.dataset}, {record.linear ? "linear_top1" : "knn_top1", record.top1},
                    {"features", record.features}, {"train_images", record.trainImages},
                    {"test_images", record.testImages}};
    if (record.linear) {
        metrics["history"] = record.history;
        metrics["protocol"] = record.protocol;
    }
    for (const auto& [key, value] : record.settings) {
        // Counts (k, epochs) stay integers in the file.
        const bool whole = std::floor(value) == value && std::abs(value) < 1e15;
        metrics[key] = whole ? json(static_cast<long long>(value)) : json(value);
    }
    fs::create_directories(folder);
    writeFileAtomically(folder + "/metrics.json", metrics.dump(2) + "\n");
}

EvaluationSummary summarizeEvaluationFolder(const std::string& folder)
{
    EvaluationSummary summary;
    std::ifstream stream(folder + "/metrics.json", std::ios::binary);
    if (!stream) {
        return summary;
    }
    const json metrics = json::parse(stream, nullptr, /*allow_exceptions=*/false);
    if (!metrics.is_object()) {
        return summary;
    }
    summary.present = true;
    // The same rule as readEvaluationFolder: a "results" object makes it tau ood's.
    const auto results = metrics.find("results");
    summary.oodDetection = results != metrics.end() && results->is_object();
    if (summary.oodDetection) {
        summary.scores = scoreNamesOf(metrics);
        double sum = 0;
        for (const auto& [set, byScore] : results->items()) {
            const auto record = summary.scores.empty() || !byScore.is_object() ? byScore.end()
                                                                                : byScore.find(summary.scores.front());
            if (record != byScore.end() && record->is_object() && record->contains("auroc") &&
                (*record)["auroc"].is_number()) {
                sum += (*record)["auroc"].get<double>();
                ++summary.aurocSets;
            }
        }
        if (summary.aurocSets > 0) {
            summary.meanAuroc = sum / summary.aurocSets;
        }
    }
    const auto accuracy = [&metrics](const char* key) -> std::optional<double> {
        return metrics.contains(key) && metrics[key].is_number() ? std::optional<double>(metrics[key].get<double>())
                                                                 : std::nullopt;
    };
    summary.linearTop1 = accuracy("linear_top1");
    summary.knnTop1 = accuracy("knn_top1");
    return summary;
}

} // namespace tau::core
