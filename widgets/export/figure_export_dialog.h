#pragma once

#include "widgets/export/figure_export.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace tau::widgets {

/** Asks where to write a figure and how: format (by extension), paper size and PNG resolution. */
class FigureExportDialog : public QDialog
{
    Q_OBJECT

public:
    /** @p figures names the plots on the page; the chosen one is figureIndex(). */
    FigureExportDialog(const QStringList& figures, const QString& folder, QWidget* parent = nullptr);

    int figureIndex() const;
    QString path() const;
    FigureOptions options() const;

private:
    void browse();
    void syncExtension();
    void suggestName();

    QString m_folder;

    QComboBox* m_figure;
    QComboBox* m_format;
    QComboBox* m_size;
    QSpinBox* m_dpi;
    QLineEdit* m_path;
};

} // namespace tau::widgets
