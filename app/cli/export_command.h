#pragma once

#include <QString>

namespace tau::app {

/** What `tau export` makes from an evaluation folder (RUN_DIR/eval/<name>). */
struct ExportRequest
{
    QString what;       ///< "roc" (a figure, or its data as CSV) or "table" (the metrics table)
    QString evalFolder; ///< holds metrics.json and roc_<ood>_<score>.csv
    QString output;     ///< the file to write (set to the final name when the format adds an extension)
    QString format;     ///< pdf, svg, png, csv or tex; empty: the output's extension
    QString size = QStringLiteral("column"); ///< column (3.5 in) or page (7 in)
    int dpi = 300;
    bool logFpr = false;
};

/**
 * Writes the ROC figure (PDF, SVG or PNG) or its curves as CSV, or the metrics table (LaTeX tabular or CSV)
 * of an evaluation folder, with no display needed. @return an empty string, or what went wrong.
 */
QString runExport(ExportRequest& request);

} // namespace tau::app
