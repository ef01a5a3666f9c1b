#include "core/runs/results_table.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/csv.h"
#include "core/io/durable_file.h"
#include "core/methods/score_catalog.h"
#include "core/methods/system_catalog.h"
#include "core/runs/run_index.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>

namespace tau::core {

namespace {

namespace fs = std::filesystem;

/** printf's formatting of one number ("%.3f", "%.10g"), as every table prints its values. */
std::string formatted(const char* format, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator)
{
    std::string text;
    for (size_t i = 0; i < items.size(); ++i) {
        text += (i > 0 ? separator : std::string()) + items[i];
    }
    return text;
}

bool contains(const std::vector<std::string>& items, const std::string& item)
{
    return std::find(items.begin(), items.end(), item) != items.end();
}

/** The run directory an eval folder (RUN/eval/<name>) belongs to; empty where it does not exist. */
std::string runDirectoryOf(const std::string& evalFolder)
{
    std::error_code error;
    const fs::path run = fs::canonical(fs::path(evalFolder) / ".." / "..", error);
    return error ? std::string() : run.string();
}

/** The run a group is known by, and what tells its group from the others'. */
struct MethodOfRun
{
    std::string key;    ///< runs with the same key are seeds of one method
    std::string system; ///< the system's title (+ MC dropout)
    std::string runName;
};

MethodOfRun methodOf(const std::string& evalFolder)
{
    const std::string runDirectory = runDirectoryOf(evalFolder);
    MethodOfRun method;
    method.runName = fs::path(runDirectory).filename().string();
    try {
        const ExperimentConfig config = loadConfigFile(runDirectory + "/config.yaml");
        std::string title = config.system;
        try {
            title = systemOf(config).title;
        } catch (const TauError&) {
            // a system this build does not know: its name stands
        }
        method.system = title + (config.model.mcDropout ? " + MC dropout" : "");
        method.key = seedlessConfigKey(config);
    } catch (const TauError&) {
        method.system = method.runName;
        method.key = "folder:" + evalFolder; // no config: a group of its own
    }
    return method;
}

double mean(const std::vector<double>& values)
{
    double sum = 0;
    for (const double value : values) {
        sum += value;
    }
    return sum / double(values.size());
}

/** The sample standard deviation (n - 1), as statistics.stdev; NaN for one value. */
double sampleStd(const std::vector<double>& values)
{
    if (values.size() < 2) {
        return std::nan("");
    }
    const double centre = mean(values);
    double squares = 0;
    for (const double value : values) {
        squares += (value - centre) * (value - centre);
    }
    return std::sqrt(squares / double(values.size() - 1));
}

std::string csvNumber(double value)
{
    return std::isnan(value) ? std::string() : formatted("%.10g", value);
}

std::string none(bool latex)
{
    return latex ? "--" : "–";
}

/** Each method's rows in the score catalogue's order (c before the scores that need more), methods as they came. */
void sortScoresByCatalogue(std::vector<ResultRow>& rows, std::vector<std::string>& methodKeys)
{
    const std::vector<std::string> catalogue = scoreNames();
    const auto catalogueIndex = [&catalogue](const std::string& score) {
        return std::find(catalogue.begin(), catalogue.end(), score) - catalogue.begin();
    };
    std::vector<std::string> methodOrder;
    for (const std::string& key : methodKeys) {
        if (!contains(methodOrder, key)) {
            methodOrder.push_back(key);
        }
    }
    const auto methodIndex = [&methodOrder](const std::string& key) {
        return std::find(methodOrder.begin(), methodOrder.end(), key) - methodOrder.begin();
    };
    std::vector<size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const auto methodA = methodIndex(methodKeys[a]), methodB = methodIndex(methodKeys[b]);
        return methodA != methodB ? methodA < methodB : catalogueIndex(rows[a].score) < catalogueIndex(rows[b].score);
    });
    std::vector<ResultRow> sortedRows;
    std::vector<std::string> sortedKeys;
    for (const size_t i : order) {
        sortedRows.push_back(rows[i]);
        sortedKeys.push_back(methodKeys[i]);
    }
    rows = std::move(sortedRows);
    methodKeys = std::move(sortedKeys);
}

} // namespace

std::string meanAndSpread(const std::vector<double>& values, bool latex)
{
    if (values.empty()) {
        return none(latex);
    }
    if (values.size() == 1) {
        return formatted("%.3f", values.front());
    }
    return formatted("%.3f", mean(values)) + (latex ? " $\\pm$ " : " ± ") + formatted("%.3f", sampleStd(values));
}

std::vector<ResultRow> groupResults(const std::vector<EvaluationFolderData>& evaluations)
{
    std::vector<ResultRow> rows;
    std::vector<std::string> methodKeys; // one per row
    std::map<std::string, std::string> systemOfKey, firstRunOfKey;
    for (const EvaluationFolderData& evaluation : evaluations) {
        const MethodOfRun method = methodOf(evaluation.folder);
        // Read once per evaluation: each of its scores' rows takes the run's linear top-1.
        const std::optional<double> linearTop1 = newestEvaluations(runDirectoryOf(evaluation.folder)).linearTop1;
        systemOfKey[method.key] = method.system;
        firstRunOfKey.emplace(method.key, method.runName);
        for (const std::string& oodSet : evaluation.oodSets) {
            for (const auto& [score, record] : evaluation.results.at(oodSet)) {
                size_t index = 0;
                while (index < rows.size() && !(methodKeys[index] == method.key && rows[index].score == score)) {
                    ++index;
                }
                if (index == rows.size()) {
                    rows.push_back(ResultRow{method.system, score, {}, {}, {}, {}});
                    methodKeys.push_back(method.key);
                }
                ResultRow& row = rows[index];
                if (!contains(row.runs, method.runName)) {
                    row.runs.push_back(method.runName);
                    if (linearTop1) {
                        row.linearTop1.push_back(*linearTop1);
                    }
                }
                row.auroc[oodSet].push_back(record.metrics.auroc);
                row.fpr95[oodSet].push_back(record.metrics.fpr95);
            }
        }
    }
    sortScoresByCatalogue(rows, methodKeys);
    // Two groups of one system (other settings): name each by its first run.
    std::map<std::string, int> groupsOfSystem;
    for (const auto& entry : firstRunOfKey) {
        groupsOfSystem[systemOfKey[entry.first]] += 1;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
        if (groupsOfSystem[rows[i].method] > 1) {
            rows[i].method += " (" + firstRunOfKey[methodKeys[i]] + ")";
        }
    }
    return rows;
}

std::vector<std::string> resultSets(const std::vector<ResultRow>& rows)
{
    std::vector<std::string> sets;
    for (const ResultRow& row : rows) {
        for (const auto& entry : row.auroc) {
            if (!contains(sets, entry.first)) {
                sets.push_back(entry.first);
            }
        }
    }
    std::sort(sets.begin(), sets.end());
    return sets;
}

std::vector<std::string> defaultNearSets(const std::vector<std::string>& sets, const std::string& inDataset)
{
    const std::string heldOutPrefix = inDataset.substr(0, inDataset.find('@')) + '@';
    std::vector<std::string> near;
    for (const std::string& set : sets) {
        if (set.rfind(heldOutPrefix, 0) == 0) {
            near.push_back(set);
        }
    }
    return near;
}

TableFormat tableFormatOf(const std::string& path)
{
    std::string suffix = fs::path(path).extension().string();
    std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return suffix == ".tex" ? TableFormat::Latex : suffix == ".md" ? TableFormat::Markdown : TableFormat::Csv;
}

std::string latexEscaped(std::string text)
{
    std::string escaped;
    for (const char c : text) {
        if (c == '_' || c == '&') {
            escaped += '\\';
        }
        escaped += c;
    }
    return escaped;
}

namespace {

using Metric = std::map<std::string, std::vector<double>> ResultRow::*;

const std::vector<double>& valuesOf(const ResultRow& row, Metric metric, const std::string& set)
{
    static const std::vector<double> noValues;
    const auto found = (row.*metric).find(set);
    return found == (row.*metric).end() ? noValues : found->second;
}

/** The mean over the sets of each set's mean (every set must have a value), as the study's tables show it. */
std::string meanOverSets(const ResultRow& row, Metric metric, const std::vector<std::string>& sets, bool latex)
{
    double sum = 0;
    for (const std::string& set : sets) {
        const std::vector<double>& values = valuesOf(row, metric, set);
        if (values.empty()) {
            return none(latex);
        }
        sum += mean(values);
    }
    return formatted("%.3f", sum / double(sets.size()));
}

/** The columns after the sets' own: which are shown, and each row's cells in them. */
struct SummaryColumns
{
    bool mean = false;            ///< the mean over every set shown (more than one set)
    std::vector<std::string> near; ///< near-OOD and far-OOD means: shown when both are non-empty
    std::vector<std::string> far;
    bool linear = false;          ///< some row has a linear top-1

    SummaryColumns(const std::vector<ResultRow>& rows, const std::vector<std::string>& sets,
                   const std::vector<std::string>& nearSets)
        : mean(sets.size() > 1)
        , linear(std::any_of(rows.begin(), rows.end(), [](const ResultRow& row) { return !row.linearTop1.empty(); }))
    {
        for (const std::string& set : sets) {
            (contains(nearSets, set) ? near : far).push_back(set);
        }
        if (near.empty() || far.empty()) {
            near.clear();
            far.clear();
        }
    }

    std::vector<std::string> headings() const
    {
        std::vector<std::string> names;
        if (mean) {
            names.push_back("mean");
        }
        if (!near.empty()) {
            names.insert(names.end(), {"near-OOD", "far-OOD"});
        }
        if (linear) {
            names.push_back("linear top-1");
        }
        names.push_back("cost per image");
        return names;
    }

    std::vector<std::string> cells(const ResultRow& row, Metric metric, const std::vector<std::string>& sets,
                                   bool latex) const
    {
        std::vector<std::string> values;
        if (mean) {
            values.push_back(meanOverSets(row, metric, sets, latex));
        }
        if (!near.empty()) {
            values.push_back(meanOverSets(row, metric, near, latex));
            values.push_back(meanOverSets(row, metric, far, latex));
        }
        if (linear) {
            values.push_back(meanAndSpread(row.linearTop1, latex));
        }
        values.push_back(costOf(row.score, latex));
        return values;
    }

    /** What scoring an image costs at inference, from the score catalogue. */
    static std::string costOf(const std::string& score, bool latex)
    {
        try {
            const std::string cost = scoreInfo(score).cost;
            return latex ? latexEscaped(cost) : cost;
        } catch (const TauError&) {
            return none(latex); // a score this version does not know
        }
    }
};

std::string csvTable(const std::vector<ResultRow>& rows, const std::vector<std::string>& sets)
{
    std::ostringstream out;
    out << "method,score,runs,ood,n,auroc_mean,auroc_std,fpr95_mean,fpr95_std,linear_top1_mean,linear_top1_std\n";
    for (const ResultRow& row : rows) {
        const std::string linearMean = row.linearTop1.empty() ? std::string() : csvNumber(mean(row.linearTop1));
        for (const std::string& set : sets) {
            const std::vector<double>& auroc = valuesOf(row, &ResultRow::auroc, set);
            const std::vector<double>& fpr95 = valuesOf(row, &ResultRow::fpr95, set);
            if (auroc.empty()) {
                continue;
            }
            out << csvField(row.method) << ',' << csvField(row.score) << ',' << csvField(joined(row.runs, " ")) << ','
                << csvField(set) << ',' << auroc.size() << ',' << csvNumber(mean(auroc)) << ','
                << csvNumber(sampleStd(auroc)) << ',' << csvNumber(mean(fpr95)) << ',' << csvNumber(sampleStd(fpr95))
                << ',' << linearMean << ',' << csvNumber(sampleStd(row.linearTop1)) << '\n';
        }
    }
    return out.str();
}

const std::string kFprConvention =
    "FPR@95: the share of OOD images accepted at the threshold that keeps 95% of the ID images";

std::string latexTable(const std::vector<ResultRow>& rows, const std::vector<std::string>& sets,
                       const std::vector<std::string>& nearSets, const std::string& inDataset)
{
    std::ostringstream out;
    const SummaryColumns summary(rows, sets, nearSets);
    const std::vector<std::string> headings = summary.headings();
    const int columns = 3 + int(sets.size()) + int(headings.size());
    out << "% OOD detection across runs, in-distribution: " << inDataset
        << "; mean $\\pm$ sample std over the runs of each method (seeds); generated by tau export table\n"
        << "% " << kFprConvention << "\n";
    if (!summary.near.empty()) {
        out << "% near-OOD: " << joined(summary.near, ", ") << "; far-OOD: " << joined(summary.far, ", ") << "\n";
    }
    for (const auto& [title, metric] : {std::pair<std::string, Metric>{"AUROC $\\uparrow$", &ResultRow::auroc},
                                        {"FPR@95 $\\downarrow$", &ResultRow::fpr95}}) {
        out << "\\begin{tabular}{llr" << std::string(size_t(columns - 4), 'r') << "l}\n\\toprule\n";
        out << "Method & Score & $n$";
        for (const std::string& set : sets) {
            out << " & " << latexEscaped(set);
        }
        for (const std::string& heading : headings) {
            out << " & " << heading;
        }
        out << " \\\\\n\\multicolumn{" << columns << "}{l}{" << title << "} \\\\\n\\midrule\n";
        for (const ResultRow& row : rows) {
            out << latexEscaped(row.method) << " & " << latexEscaped(row.score) << " & " << row.runs.size();
            for (const std::string& set : sets) {
                out << " & " << meanAndSpread(valuesOf(row, metric, set), /*latex=*/true);
            }
            for (const std::string& cell : summary.cells(row, metric, sets, /*latex=*/true)) {
                out << " & " << cell;
            }
            out << " \\\\\n";
        }
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    return out.str();
}

std::string markdownCell(const std::string& text)
{
    std::string cell;
    for (const char c : text) {
        cell += c == '|' ? std::string("\\|") : std::string(1, c);
    }
    return cell;
}

std::string markdownTable(const std::vector<ResultRow>& rows, const std::vector<std::string>& sets,
                          const std::vector<std::string>& nearSets, const std::string& inDataset)
{
    std::ostringstream out;
    const SummaryColumns summary(rows, sets, nearSets);
    std::vector<std::string> columns = sets;
    for (const std::string& heading : summary.headings()) {
        columns.push_back(heading);
    }
    std::string caption = "in-distribution: " + inDataset +
                          "; mean ± sample std over the runs of each method (seeds), n runs; generated by tau export table";
    if (!summary.near.empty()) {
        caption += "; near-OOD: " + joined(summary.near, ", ") + ", far-OOD: " + joined(summary.far, ", ");
    }
    const std::string fprTitle = "FPR@95 (lower is better): " + kFprConvention.substr(kFprConvention.find(": ") + 2);
    for (const auto& [title, metric] : {std::pair<std::string, Metric>{"AUROC (higher is better; 0.5 is chance)",
                                                                       &ResultRow::auroc},
                                        {fprTitle, &ResultRow::fpr95}}) {
        out << "### " << title << "\n\n" << caption << "\n\n| method | score | n |";
        for (const std::string& column : columns) {
            out << ' ' << markdownCell(column) << " |";
        }
        out << "\n|---|---|---|";
        for (size_t i = 0; i < columns.size(); ++i) {
            out << "---|";
        }
        out << '\n';
        for (const ResultRow& row : rows) {
            out << "| " << markdownCell(row.method) << " | " << markdownCell(row.score) << " | " << row.runs.size() << " |";
            for (const std::string& set : sets) {
                out << ' ' << meanAndSpread(valuesOf(row, metric, set)) << " |";
            }
            for (const std::string& cell : summary.cells(row, metric, sets, /*latex=*/false)) {
                out << ' ' << markdownCell(cell) << " |";
            }
            out << '\n';
        }
        out << '\n';
    }
    return out.str();
}

} // namespace

std::string resultsTableText(const std::vector<ResultRow>& rows, TableFormat format, const std::string& inDataset,
                             const std::vector<std::string>& sets, const std::vector<std::string>& nearSets)
{
    const std::vector<std::string> shown = sets.empty() ? resultSets(rows) : sets;
    switch (format) {
    case TableFormat::Latex: return latexTable(rows, shown, nearSets, inDataset);
    case TableFormat::Markdown: return markdownTable(rows, shown, nearSets, inDataset);
    case TableFormat::Csv: break;
    }
    return csvTable(rows, shown);
}

std::vector<MetricsTableRow> metricsTableRows(const EvaluationFolderData& evaluation, const std::string& run)
{
    std::vector<MetricsTableRow> rows;
    for (const std::string& oodSet : evaluation.oodSets) {
        for (const auto& [score, record] : evaluation.results.at(oodSet)) {
            const auto interval = [&record](Interval OodMetricIntervals::*member) -> std::optional<Interval> {
                return record.intervals ? std::optional<Interval>((*record.intervals).*member) : std::nullopt;
            };
            const OodMetrics& m = record.metrics;
            rows.push_back({run, oodSet, score, {m.auroc, interval(&OodMetricIntervals::auroc)},
                            {m.fpr95, interval(&OodMetricIntervals::fpr95)},
                            {m.auprIn, interval(&OodMetricIntervals::auprIn)},
                            {m.auprOut, interval(&OodMetricIntervals::auprOut)}});
        }
    }
    return rows;
}

std::string metricsTableText(const std::vector<MetricsTableRow>& rows, bool latex, const std::string& inDataset)
{
    std::ostringstream out;
    const bool severalRuns = std::any_of(rows.begin(), rows.end(),
                                         [&rows](const MetricsTableRow& row) { return row.run != rows.front().run; });
    const auto cell = [latex](const MetricWithInterval& metric) {
        std::string value = formatted(latex ? "%.3f" : "%.6f", metric.value);
        if (metric.interval) {
            value += latex ? " {\\scriptsize [" + formatted("%.3f", metric.interval->low) + ", " +
                                 formatted("%.3f", metric.interval->high) + "]}"
                           : "," + formatted("%.8g", metric.interval->low) + "," + formatted("%.8g", metric.interval->high);
        } else if (!latex) {
            value += ",,";
        }
        return value;
    };
    if (latex) {
        out << "% OOD detection, in-distribution: " << inDataset << "; generated by tau export\n";
        out << "\\begin{tabular}{" << (severalRuns ? "lll" : "ll") << "rrrr}\n\\toprule\n";
        out << (severalRuns ? "Run & " : "") << "OOD set & Score & AUROC $\\uparrow$ & FPR@95 $\\downarrow$ & "
            << "AUPR-In $\\uparrow$ & AUPR-Out $\\uparrow$ \\\\\n\\midrule\n";
    } else {
        out << "run,ood,score";
        for (const char* metric : {"auroc", "fpr95", "aupr_in", "aupr_out"}) {
            out << ',' << metric << ',' << metric << "_low," << metric << "_high";
        }
        out << '\n';
    }
    const std::string separator = latex ? " & " : ",";
    for (const MetricsTableRow& row : rows) {
        if (latex) {
            out << (severalRuns ? latexEscaped(row.run) + separator : std::string()) << latexEscaped(row.oodSet)
                << separator << latexEscaped(row.score);
        } else {
            out << row.run << ',' << row.oodSet << ',' << row.score;
        }
        for (const MetricWithInterval* metric : {&row.auroc, &row.fpr95, &row.auprIn, &row.auprOut}) {
            out << separator << cell(*metric);
        }
        out << (latex ? " \\\\\n" : "\n");
    }
    if (latex) {
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    return out.str();
}

namespace {

/** Every set named by @p option (--sets, --near) must be one of the folders' @p known sets. */
void requireKnownSets(const std::vector<std::string>& named, const std::vector<std::string>& known,
                      const std::string& option)
{
    for (const std::string& set : named) {
        if (!contains(known, set)) {
            throw TauError(option + ": no OOD set '" + set + "' in these folders; they have " + joined(known, ", "));
        }
    }
}

/** The run an eval folder (RUN/eval/<name>) belongs to, by name, as the explorer labels its rows. */
std::string runNameOf(const std::string& evalFolder)
{
    fs::path folder = fs::absolute(evalFolder).lexically_normal();
    if (folder.filename().empty()) {
        folder = folder.parent_path(); // written with a trailing slash
    }
    return folder.parent_path().parent_path().filename().string();
}

} // namespace

void writeResultsTable(const ResultsTableRequest& request)
{
    std::vector<EvaluationFolderData> evaluations;
    for (const std::string& folder : request.evalFolders) {
        EvaluationFolderData evaluation = readEvaluationFolder(folder, /*withScores=*/false);
        if (!evaluations.empty() && evaluation.inDataset != evaluations.front().inDataset) {
            throw TauError(folder + ": in-distribution set " + evaluation.inDataset + ", but " +
                           evaluations.front().folder + " has " + evaluations.front().inDataset +
                           ": a table compares one ID set");
        }
        evaluations.push_back(std::move(evaluation));
    }
    if (evaluations.empty()) {
        throw TauError("export table: expected at least one eval folder");
    }
    const TableFormat format = tableFormatOf(request.output);
    const std::string& inDataset = evaluations.front().inDataset;
    // Several runs, a chosen set of OOD sets, or Markdown: the table across runs (one folder is a run of its own).
    if (evaluations.size() == 1 && request.sets.empty() && format != TableFormat::Markdown) {
        const std::vector<MetricsTableRow> rows = metricsTableRows(evaluations.front(), runNameOf(request.evalFolders.front()));
        writeFileAtomically(request.output, metricsTableText(rows, format == TableFormat::Latex, inDataset));
        return;
    }
    const std::vector<ResultRow> rows = groupResults(evaluations);
    const std::vector<std::string> known = resultSets(rows);
    requireKnownSets(request.sets, known, "--sets");
    requireKnownSets(request.nearSets.value_or(std::vector<std::string>()), known, "--near");
    const std::vector<std::string> nearSets = request.nearSets.value_or(defaultNearSets(known, inDataset));
    writeFileAtomically(request.output, resultsTableText(rows, format, inDataset, request.sets, nearSets));
}

} // namespace tau::core
