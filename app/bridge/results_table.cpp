#include "app/bridge/results_table.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/csv.h"
#include "core/methods/score_catalog.h"
#include "core/methods/system_catalog.h"
#include "core/runs/run_index.h"

#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tau::app {

namespace {

/** The run directory an eval folder (RUN/eval/<name>) belongs to. */
QString runDirectoryOf(const QString& evalFolder)
{
    return QFileInfo(evalFolder + QStringLiteral("/../..")).canonicalFilePath();
}

/** What a run's config says beyond its seed and name: runs with the same key are seeds of one method. */
QString methodKey(const QString& evalFolder, QString& system, QString& runName)
{
    const QString runDirectory = runDirectoryOf(evalFolder);
    runName = QFileInfo(runDirectory).fileName();
    try {
        const core::ExperimentConfig config =
            core::loadConfigFile((runDirectory + QStringLiteral("/config.yaml")).toStdString());
        QString title = QString::fromStdString(config.system);
        try {
            title = QString::fromStdString(core::systemOf(config).title);
        } catch (const core::TauError&) {
            // a system this build does not know: its name stands
        }
        system = title + (config.model.mcDropout ? QStringLiteral(" + MC dropout") : QString());
        return QString::fromStdString(core::seedlessConfigKey(config));
    } catch (const core::TauError&) {
        system = runName;
        return QStringLiteral("folder:") + evalFolder; // no config: a group of its own
    }
}

double mean(const QVector<double>& values)
{
    double sum = 0;
    for (const double value : values) {
        sum += value;
    }
    return sum / double(values.size());
}

/** The sample standard deviation (n - 1), as statistics.stdev; NaN for one value. */
double sampleStd(const QVector<double>& values)
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

QString csvNumber(double value)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', 10);
}

QString csv(const QString& text)
{
    return QString::fromStdString(core::csvField(text.toStdString()));
}

/**
 * Each method's rows in the score catalogue's order (c before the scores that need more), the methods in the
 * order they came. @p keys (method key, newline, score) are reordered with @p rows.
 */
void sortScoresByCatalogue(QVector<ResultRow>& rows, QStringList& keys)
{
    const std::vector<std::string> catalogue = core::scoreNames();
    const auto catalogueIndex = [&catalogue](const QString& score) {
        return std::find(catalogue.begin(), catalogue.end(), score.toStdString()) - catalogue.begin();
    };
    const auto methodOf = [&keys](qsizetype row) { return keys[row].section(QLatin1Char('\n'), 0, -2); };
    QStringList methodOrder;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (!methodOrder.contains(methodOf(i))) {
            methodOrder.append(methodOf(i));
        }
    }
    std::vector<qsizetype> order(size_t(rows.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        const qsizetype methodA = methodOrder.indexOf(methodOf(a)), methodB = methodOrder.indexOf(methodOf(b));
        return methodA != methodB ? methodA < methodB : catalogueIndex(rows[a].score) < catalogueIndex(rows[b].score);
    });
    QVector<ResultRow> sortedRows;
    QStringList sortedKeys;
    for (const qsizetype i : order) {
        sortedRows.append(rows[i]);
        sortedKeys.append(keys[i]);
    }
    rows = sortedRows;
    keys = sortedKeys;
}

} // namespace

QString meanAndSpread(const QVector<double>& values, bool latex)
{
    if (values.isEmpty()) {
        return latex ? QStringLiteral("--") : QStringLiteral("–");
    }
    if (values.size() == 1) {
        return QString::number(values.front(), 'f', 3);
    }
    return QStringLiteral("%1 %2 %3")
        .arg(mean(values), 0, 'f', 3)
        .arg(latex ? QStringLiteral("$\\pm$") : QStringLiteral("±"))
        .arg(sampleStd(values), 0, 'f', 3);
}

QVector<ResultRow> groupResults(const QVector<EvaluationFolder>& evaluations)
{
    QVector<ResultRow> rows;
    QStringList keys; // one per row: the method's key and the score
    QMap<QString, QString> systemOfKey;
    QMap<QString, QString> firstRunOfKey;
    for (const EvaluationFolder& evaluation : evaluations) {
        QString system, runName;
        const QString key = methodKey(evaluation.folder, system, runName);
        systemOfKey.insert(key, system);
        if (!firstRunOfKey.contains(key)) {
            firstRunOfKey.insert(key, runName);
        }
        for (const widgets::MetricRow& metric : evaluation.rows) {
            const QString rowKey = key + QLatin1Char('\n') + metric.score;
            qsizetype index = keys.indexOf(rowKey);
            if (index < 0) {
                keys.append(rowKey);
                ResultRow row;
                row.method = system;
                row.score = metric.score;
                rows.append(row);
                index = rows.size() - 1;
            }
            ResultRow& row = rows[index];
            if (!row.runs.contains(runName)) {
                row.runs.append(runName);
                const core::RunEvaluations newest = core::newestEvaluations(runDirectoryOf(evaluation.folder).toStdString());
                if (newest.linearTop1) {
                    row.linearTop1.append(*newest.linearTop1);
                }
            }
            row.auroc[metric.oodSet].append(metric.auroc.value);
            row.fpr95[metric.oodSet].append(metric.fpr95.value);
        }
    }
    sortScoresByCatalogue(rows, keys);
    // Two groups of one system (other settings): name each by its first run.
    QMap<QString, int> systems;
    for (const QString& key : firstRunOfKey.keys()) {
        systems[systemOfKey.value(key)] += 1;
    }
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QString key = keys[i].section(QLatin1Char('\n'), 0, -2);
        if (systems.value(rows[i].method) > 1) {
            rows[i].method += QStringLiteral(" (%1)").arg(firstRunOfKey.value(key));
        }
    }
    return rows;
}

QStringList resultSets(const QVector<ResultRow>& rows)
{
    QStringList sets;
    for (const ResultRow& row : rows) {
        for (const QString& set : row.auroc.keys()) {
            if (!sets.contains(set)) {
                sets.append(set);
            }
        }
    }
    sets.sort();
    return sets;
}

QStringList defaultNearSets(const QStringList& sets, const QString& inDataset)
{
    const QString heldOutPrefix = inDataset.section(QLatin1Char('@'), 0, 0) + QLatin1Char('@');
    QStringList near;
    for (const QString& set : sets) {
        if (set.startsWith(heldOutPrefix)) {
            near.append(set);
        }
    }
    return near;
}

TableFormat tableFormatOf(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("tex") ? TableFormat::Latex
           : suffix == QLatin1String("md") ? TableFormat::Markdown
                                           : TableFormat::Csv;
}

namespace {

using Metric = QMap<QString, QVector<double>> ResultRow::*;

/** The mean over the sets of each set's mean (every set must have a value), as the study's tables show it. */
QString meanOverSets(const ResultRow& row, Metric metric, const QStringList& sets, bool latex)
{
    double sum = 0;
    for (const QString& set : sets) {
        const QVector<double> values = (row.*metric).value(set);
        if (values.isEmpty()) {
            return latex ? QStringLiteral("--") : QStringLiteral("–");
        }
        sum += mean(values);
    }
    return QString::number(sum / double(sets.size()), 'f', 3);
}

/** The columns after the sets' own: which are shown, and each row's cells in them. */
struct SummaryColumns
{
    bool mean = false;    ///< the mean over every set shown (more than one set)
    QStringList near;     ///< near-OOD and far-OOD means: shown when both are non-empty
    QStringList far;
    bool linear = false;  ///< some row has a linear top-1

    SummaryColumns(const QVector<ResultRow>& rows, const QStringList& sets, const QStringList& nearSets)
        : mean(sets.size() > 1)
        , linear(std::any_of(rows.begin(), rows.end(), [](const ResultRow& row) { return !row.linearTop1.isEmpty(); }))
    {
        for (const QString& set : sets) {
            (nearSets.contains(set) ? near : far).append(set);
        }
        if (near.isEmpty() || far.isEmpty()) {
            near.clear();
            far.clear();
        }
    }

    QStringList headings() const
    {
        QStringList names;
        if (mean) {
            names << QStringLiteral("mean");
        }
        if (!near.isEmpty()) {
            names << QStringLiteral("near-OOD") << QStringLiteral("far-OOD");
        }
        if (linear) {
            names << QStringLiteral("linear top-1");
        }
        return names << QStringLiteral("cost per image");
    }

    QStringList cells(const ResultRow& row, Metric metric, const QStringList& sets, bool latex) const
    {
        QStringList values;
        if (mean) {
            values << meanOverSets(row, metric, sets, latex);
        }
        if (!near.isEmpty()) {
            values << meanOverSets(row, metric, near, latex) << meanOverSets(row, metric, far, latex);
        }
        if (linear) {
            values << meanAndSpread(row.linearTop1, latex);
        }
        return values << costOf(row.score, latex);
    }

    /** What scoring an image costs at inference, from the score catalogue. */
    static QString costOf(const QString& score, bool latex)
    {
        try {
            const QString cost = QString::fromStdString(core::scoreInfo(score.toStdString()).cost);
            return latex ? latexEscaped(cost) : cost;
        } catch (const core::TauError&) {
            return latex ? QStringLiteral("--") : QStringLiteral("–"); // a score this version does not know
        }
    }
};

QString csvTable(const QVector<ResultRow>& rows, const QStringList& sets)
{
    QString text;
    QTextStream out(&text);
    out << "method,score,runs,ood,n,auroc_mean,auroc_std,fpr95_mean,fpr95_std,linear_top1_mean,linear_top1_std\n";
    for (const ResultRow& row : rows) {
        const QString linearMean = row.linearTop1.isEmpty() ? QString() : csvNumber(mean(row.linearTop1));
        for (const QString& set : sets) {
            const QVector<double> auroc = row.auroc.value(set), fpr95 = row.fpr95.value(set);
            if (auroc.isEmpty()) {
                continue;
            }
            out << csv(row.method) << ',' << csv(row.score) << ',' << csv(row.runs.join(QLatin1Char(' '))) << ','
                << csv(set) << ',' << auroc.size() << ',' << csvNumber(mean(auroc)) << ','
                << csvNumber(sampleStd(auroc)) << ',' << csvNumber(mean(fpr95)) << ',' << csvNumber(sampleStd(fpr95))
                << ',' << linearMean << ',' << csvNumber(sampleStd(row.linearTop1)) << '\n';
        }
    }
    return text;
}

const QString kFprConvention =
    QStringLiteral("FPR@95: the share of OOD images accepted at the threshold that keeps 95% of the ID images");

QString latexTable(const QVector<ResultRow>& rows, const QStringList& sets, const QStringList& nearSets,
                   const QString& inDataset)
{
    QString text;
    QTextStream out(&text);
    const SummaryColumns summary(rows, sets, nearSets);
    const QStringList headings = summary.headings();
    const int columns = 3 + int(sets.size()) + int(headings.size());
    out << "% OOD detection across runs, in-distribution: " << inDataset
        << "; mean $\\pm$ sample std over the runs of each method (seeds); generated by tau export table\n"
        << "% " << kFprConvention << "\n";
    if (!summary.near.isEmpty()) {
        out << "% near-OOD: " << summary.near.join(QStringLiteral(", ")) << "; far-OOD: "
            << summary.far.join(QStringLiteral(", ")) << "\n";
    }
    for (const auto& [title, metric] : {std::pair<QString, Metric>{QStringLiteral("AUROC $\\uparrow$"), &ResultRow::auroc},
                                        {QStringLiteral("FPR@95 $\\downarrow$"), &ResultRow::fpr95}}) {
        out << "\\begin{tabular}{llr" << QString(columns - 4, QLatin1Char('r')) << "l}\n\\toprule\n";
        out << "Method & Score & $n$";
        for (const QString& set : sets) {
            out << " & " << latexEscaped(set);
        }
        for (const QString& heading : headings) {
            out << " & " << heading;
        }
        out << " \\\\\n\\multicolumn{" << columns << "}{l}{" << title << "} \\\\\n\\midrule\n";
        for (const ResultRow& row : rows) {
            out << latexEscaped(row.method) << " & " << latexEscaped(row.score) << " & " << row.runs.size();
            for (const QString& set : sets) {
                out << " & " << meanAndSpread((row.*metric).value(set), /*latex=*/true);
            }
            for (const QString& cell : summary.cells(row, metric, sets, /*latex=*/true)) {
                out << " & " << cell;
            }
            out << " \\\\\n";
        }
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    return text;
}

QString markdownCell(const QString& text)
{
    return QString(text).replace(QLatin1Char('|'), QStringLiteral("\\|"));
}

QString markdownTable(const QVector<ResultRow>& rows, const QStringList& sets, const QStringList& nearSets,
                      const QString& inDataset)
{
    QString text;
    QTextStream out(&text);
    const SummaryColumns summary(rows, sets, nearSets);
    const QStringList headings = summary.headings();
    QString caption = QStringLiteral("in-distribution: %1; mean ± sample std over the runs of each method "
                                     "(seeds), n runs; generated by tau export table")
                          .arg(inDataset);
    if (!summary.near.isEmpty()) {
        caption += QStringLiteral("; near-OOD: %1, far-OOD: %2")
                       .arg(summary.near.join(QStringLiteral(", ")), summary.far.join(QStringLiteral(", ")));
    }
    for (const auto& [title, metric] :
         {std::pair<QString, Metric>{QStringLiteral("AUROC (higher is better; 0.5 is chance)"), &ResultRow::auroc},
          {QStringLiteral("FPR@95 (lower is better): ") + kFprConvention.section(QStringLiteral(": "), 1), &ResultRow::fpr95}}) {
        out << "### " << title << "\n\n" << caption << "\n\n| method | score | n |";
        for (const QString& set : sets + headings) {
            out << ' ' << markdownCell(set) << " |";
        }
        out << "\n|---|---|---|";
        for (int i = 0; i < sets.size() + headings.size(); ++i) {
            out << "---|";
        }
        out << '\n';
        for (const ResultRow& row : rows) {
            out << "| " << markdownCell(row.method) << " | " << markdownCell(row.score) << " | " << row.runs.size() << " |";
            for (const QString& set : sets) {
                out << ' ' << meanAndSpread((row.*metric).value(set)) << " |";
            }
            for (const QString& cell : summary.cells(row, metric, sets, /*latex=*/false)) {
                out << ' ' << markdownCell(cell) << " |";
            }
            out << '\n';
        }
        out << '\n';
    }
    return text;
}

} // namespace

QString resultsTableText(const QVector<ResultRow>& rows, TableFormat format, const QString& inDataset,
                         const QStringList& sets, const QStringList& nearSets)
{
    const QStringList shown = sets.isEmpty() ? resultSets(rows) : sets;
    switch (format) {
    case TableFormat::Latex: return latexTable(rows, shown, nearSets, inDataset);
    case TableFormat::Markdown: return markdownTable(rows, shown, nearSets, inDataset);
    case TableFormat::Csv: break;
    }
    return csvTable(rows, shown);
}

} // namespace tau::app
