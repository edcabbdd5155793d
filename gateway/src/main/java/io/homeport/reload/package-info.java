/** Hot reload: the serving configuration, swapped atomically, and what triggers a reload. */
package io.homeport.reload;
