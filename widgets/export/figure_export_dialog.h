#pragma once

#include "widgets/export/figure_export.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace tau::widgets {

/** Asks where to write a figure and how: format (by extension), paper size and PNG resolution. */
class FigureExportDialog : public QDialog
{
    Q_OBJECT

public:
    /**
     * @p figures names the plots on the page, @p fileStems what their files are called ("roc_curves_run3");
     * @p current (the plot on screen) is chosen at first; the chosen one is figureIndex().
     */
    FigureExportDialog(const QStringList& figures, const QStringList& fileStems, int current, const QString& folder,
                       QWidget* parent = nullptr);

    int figureIndex() const;
    QString path() const;
    FigureOptions options() const;

private:
    void browse();
    void syncExtension();
    void suggestName();

    QString m_folder;
    QStringList m_fileStems;

    QComboBox* m_figure;
    QComboBox* m_format;
    QComboBox* m_size;
    QSpinBox* m_dpi;
    QCheckBox* m_titles;
    QLineEdit* m_path;
};

} // namespace tau::widgets
