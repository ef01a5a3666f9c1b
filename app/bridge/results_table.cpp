#include "app/bridge/results_table.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/csv.h"

#include <QFileInfo>
#include <QTextStream>

#include <cmath>

namespace tau::app {

namespace {

/** What a run's config says beyond its seed and name: runs with the same key are seeds of one method. */
QString methodKey(const QString& evalFolder, QString& system, QString& runName)
{
    const QString runDirectory = QFileInfo(evalFolder + QStringLiteral("/../..")).canonicalFilePath();
    runName = QFileInfo(runDirectory).fileName();
    try {
        const core::ExperimentConfig config =
            core::loadConfigFile((runDirectory + QStringLiteral("/config.yaml")).toStdString());
        system = QString::fromStdString(config.system) + (config.model.mcDropout ? QStringLiteral(" + MC dropout") : QString());
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
                rows.append(ResultRow{system, metric.score, {}, {}, {}});
                index = rows.size() - 1;
            }
            ResultRow& row = rows[index];
            if (!row.runs.contains(runName)) {
                row.runs.append(runName);
            }
            row.auroc[metric.oodSet].append(metric.auroc.value);
            row.fpr95[metric.oodSet].append(metric.fpr95.value);
        }
    }
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

QString resultsTableText(const QVector<ResultRow>& rows, bool latex, const QString& inDataset)
{
    const QStringList sets = resultSets(rows);
    QString text;
    QTextStream out(&text);
    if (!latex) {
        out << "method,score,runs,ood,n,auroc_mean,auroc_std,fpr95_mean,fpr95_std\n";
        for (const ResultRow& row : rows) {
            for (const QString& set : sets) {
                const QVector<double> auroc = row.auroc.value(set), fpr95 = row.fpr95.value(set);
                if (auroc.isEmpty()) {
                    continue;
                }
                out << csv(row.method) << ',' << csv(row.score) << ',' << csv(row.runs.join(QLatin1Char(' '))) << ','
                    << csv(set) << ',' << auroc.size() << ',' << csvNumber(mean(auroc)) << ','
                    << csvNumber(sampleStd(auroc)) << ',' << csvNumber(mean(fpr95)) << ',' << csvNumber(sampleStd(fpr95))
                    << '\n';
            }
        }
        return text;
    }
    out << "% OOD detection across runs, in-distribution: " << inDataset
        << "; mean $\\pm$ sample std over the runs of each method (seeds); generated by tau export table\n"
        << "% FPR@95: the share of OOD images accepted at the threshold that keeps 95% of the ID images\n";
    for (const auto& [title, metric] :
         {std::pair<QString, QMap<QString, QVector<double>> ResultRow::*>{QStringLiteral("AUROC $\\uparrow$"), &ResultRow::auroc},
          {QStringLiteral("FPR@95 $\\downarrow$"), &ResultRow::fpr95}}) {
        out << "\\begin{tabular}{llr" << QString(sets.size(), QLatin1Char('r')) << "}\n\\toprule\n";
        out << "Method & Score & $n$";
        for (const QString& set : sets) {
            out << " & " << latexEscaped(set);
        }
        out << " \\\\\n\\multicolumn{" << sets.size() + 3 << "}{l}{" << title << "} \\\\\n\\midrule\n";
        for (const ResultRow& row : rows) {
            out << latexEscaped(row.method) << " & " << latexEscaped(row.score) << " & " << row.runs.size();
            for (const QString& set : sets) {
                out << " & " << meanAndSpread((row.*metric).value(set), /*latex=*/true);
            }
            out << " \\\\\n";
        }
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    return text;
}

} // namespace tau::app
