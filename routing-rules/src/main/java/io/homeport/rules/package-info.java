/** The rules file: its immutable model, and loading with every problem reported as {@code file:line:col}. */
package io.homeport.rules;
