#pragma once

#include <QString>

namespace tau::app {

/** What `tau export` makes from an evaluation folder (RUN_DIR/eval/<name>). */
struct ExportRequest
{
    QString what;       ///< roc, histograms or embedding: a figure, or its data as CSV
    QString evalFolder; ///< what tau ood (metrics.json, roc_*.csv, scores.csv) or tau embed (embedding.csv) wrote
    QString output;     ///< the file to write (set to the final name when the format adds an extension)
    QString format;     ///< pdf, svg, png or csv; empty: the output's extension
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
 * PDF, SVG or PNG, or its data as CSV, with no display needed (tables: core/runs/results_table.h, tau export table).
 * @return an empty string, or what went wrong.
 */
QString runExport(ExportRequest& request);

} // namespace tau::app
