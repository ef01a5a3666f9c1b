#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace tau::app {

/** What `tau export` makes from an evaluation folder (RUN_DIR/eval/<name>). */
struct ExportRequest
{
    QString what;       ///< roc, histograms, embedding (a figure, or its data as CSV) or table (the metrics)
    QString evalFolder; ///< what tau ood (metrics.json, roc_*.csv, scores.csv) or tau embed (embedding.csv) wrote
    QStringList evalFolders; ///< table: more than one is the results table across runs (app/bridge/results_table.h)
    QString output;     ///< the file to write (set to the final name when the format adds an extension)
    QString format;     ///< pdf, svg, png, csv, tex or md (a table); empty: the output's extension
    QStringList sets;   ///< table across runs: the OOD sets shown, in this order (empty: all)
    std::optional<QStringList> nearSets; ///< table across runs: the near-OOD sets (unset: defaultNearSets())
    QString size = QStringLiteral("column"); ///< column (3.5 in) or page (7 in)
    int dpi = 300;
    bool logFpr = false;
    bool titles = false;    ///< keep a plot's title; papers caption their figures instead
    bool grayscale = false; ///< PNG in grey, to check a figure prints apart without colour
    QString score;      ///< histograms: which score (default: the first)
    QString projection; ///< embedding: pca or tsne (default: t-SNE when the file has it)
};

/**
 * Writes a figure of an evaluation folder (the ROC curves, the ID-vs-OOD score histograms, or the embedding) as
 * PDF, SVG or PNG, or its data as CSV, or the metrics table (LaTeX tabular, Markdown or CSV), with no display needed. @return an empty string, or what went wrong.
 */
QString runExport(ExportRequest& request);

} // namespace tau::app
