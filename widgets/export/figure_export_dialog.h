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
    FigureExportDialog(const QString& suggestedPath, QWidget* parent = nullptr);

    QString path() const;
    FigureOptions options() const;

private:
    void browse();
    void syncExtension();

    QComboBox* m_format;
    QComboBox* m_size;
    QSpinBox* m_dpi;
    QLineEdit* m_path;
};

} // namespace tau::widgets
